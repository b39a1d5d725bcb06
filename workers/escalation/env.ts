import type { DbEnv } from "../../adapters/db/client";
import type { RangeIndex } from "../../durable-objects/range-index";

/** What escalation sends to its dead-letter queue for a report it cannot read: the reason, and the body as received. */
export interface DeadLetter {
  readonly reason: string;
  readonly body: unknown;
  readonly messageId: string;
  readonly attempts: number;
}

/** The part of the Workers AI binding escalation uses (model-specific input and output types vary). */
export interface WorkersAi {
  run(model: string, input: { messages: { role: string; content: string }[]; max_tokens?: number }): Promise<unknown>;
}

/** escalation's bindings (see workers/escalation/wrangler.toml). */
/** What escalation reads besides its wrangler.toml: secrets (`wrangler secret put`) and the optional Workers AI binding. */
export interface EscalationSecrets {
  /** A Neon (or any Postgres) connection string. */
  readonly DATABASE_URL?: string;
  /** The LLM provider's API key. */
  readonly LLM_API_KEY?: string;
  /** Workers AI, only needed for `workers-ai://` LLM URIs (add an `[ai]` binding to use it). */
  readonly AI?: WorkersAi;
  /** A webhook URL usually embeds a token: new blocklist entries are POSTed here. Unset: no alerts. */
  readonly ALERT_WEBHOOK_URL?: string;
  /** Dev only, set by the dev stack for the fault suite, never in wrangler.toml: "on" enables the model fault switch (index.ts). */
  readonly DEV_FAULTS?: string;
}

/** escalation's bindings (workers/escalation/wrangler.toml; env-check.ts holds this to `wrangler types`). */
export interface EscalationEnv extends DbEnv, EscalationSecrets {
  readonly BLOCKLIST: KVNamespace;
  /** edge-guard's RangeIndex: prefix blocks go there. */
  readonly RANGE_INDEX: DurableObjectNamespace<RangeIndex>;
  /** Producer for edge-guard-reports-dlq: malformed reports go there at once, with their reason. */
  readonly DLQ: Queue<DeadLetter>;
  /** Score in (0, 1] at or above which a client is a bot and its IP is blocklisted. */
  readonly BLOCK_SCORE: string;
  /** Blocklist entry lifetime, seconds (KV's minimum is 60). */
  readonly BLOCK_TTL_SECONDS: string;
  /** Distinct bot IPs of one /24 (or /64) inside PREFIX_WINDOW_SECONDS that blocklist the whole prefix. */
  readonly PREFIX_MIN_BOT_IPS: string;
  readonly PREFIX_WINDOW_SECONDS: string;
  /** Where LLM verdicts come from (README, "LLM verdicts"); empty: no LLM. */
  readonly LLM_URI: string;
  readonly LLM_SCORE_MIN: string;
  readonly LLM_SCORE_MAX: string;
  readonly LLM_MIN_CONFIDENCE: string;
  readonly LLM_TIMEOUT_MS: string;
  readonly LLM_BUDGET_PER_HOUR: string;
  readonly LLM_CACHE_SECONDS: string;
}
