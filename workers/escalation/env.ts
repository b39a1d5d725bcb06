import type { DbEnv } from "../../adapters/db/client";

/** What escalation sends to its dead-letter queue for a report it cannot read: the reason, and the body as received. */
export interface DeadLetter {
  readonly reason: string;
  readonly body: unknown;
  readonly messageId: string;
  readonly attempts: number;
}

/** escalation's bindings (see workers/escalation/wrangler.toml). */
export interface EscalationEnv extends DbEnv {
  readonly BLOCKLIST: KVNamespace;
  /** Producer for edge-guard-reports-dlq: malformed reports go there at once, with their reason. */
  readonly DLQ: Queue<DeadLetter>;
  /** Score in (0, 1] at or above which a client is a bot and its IP is blocklisted. */
  readonly BLOCK_SCORE: string;
  /** Blocklist entry lifetime, seconds (KV's minimum is 60). */
  readonly BLOCK_TTL_SECONDS: string;
}
