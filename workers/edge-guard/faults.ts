import { KvWriter } from "../../adapters/kv";
import { kvKeys } from "../../core/kv-keys";

/** Where a fault inside edge-guard happened. Each is failed open: the request goes on as if the part said nothing. */
export type FaultKind =
  | "blocklist"
  | "ledger"
  | "report"
  | "tarpit"
  | "decide"
  | "policy"
  | "robots"
  | "web-bot-auth"
  | "challenge"
  | "honeypot"
  | "fleet"
  | "pass"
  | "data-refresh"
  | "origin"
  /** A plugin rule (rules/) threw: decided without it. */
  | "rule";

/** How often an isolate publishes its totals (only when they changed), and how long KV keeps them. */
export const PUBLISH_INTERVAL_MS = 60_000;
const STATS_TTL_S = 24 * 3600;

/**
 * One isolate's fail-open faults (part of its state, guard.ts `IsolateState`): counted by kind, logged, and published
 * to KV for admin's overview and /metrics. Every part that fails open records here; the client never learns of it.
 */
export class Faults {
  readonly #counts: Record<FaultKind, number> = {
    blocklist: 0,
    ledger: 0,
    report: 0,
    tarpit: 0,
    decide: 0,
    policy: 0,
    robots: 0,
    "web-bot-auth": 0,
    challenge: 0,
    honeypot: 0,
    fleet: 0,
    pass: 0,
    "data-refresh": 0,
    origin: 0,
    rule: 0,
  };
  // Random values are not allowed at a Worker's global scope: the id is made on the first publish.
  #isolateId: string | null = null;
  #published = 0;
  #publishedAt = 0;

  /** Counts and logs a fault that was failed open. */
  record(kind: FaultKind, error: unknown): void {
    this.#counts[kind] += 1;
    const message = error instanceof Error ? error.message : String(error);
    console.error(
      JSON.stringify({ msg: "edge-guard fault, failed open", code: `fault_${kind}`, kind, error: message, total: this.#counts[kind] }),
    );
  }

  /** Faults counted in this isolate since it started. */
  counts(): Readonly<Record<FaultKind, number>> {
    return { ...this.#counts };
  }

  /**
   * Writes the totals to KV (`stats:faults:<isolate>`, value also as metadata so admin lists them in one call) when
   * they changed and the interval passed. Returns the write for `waitUntil`, or null.
   */
  publish(kv: KVNamespace, now: number, intervalMs = PUBLISH_INTERVAL_MS): Promise<void> | null {
    const total = Object.values(this.#counts).reduce((a, b) => a + b, 0);
    if (total === this.#published || now - this.#publishedAt < intervalMs) return null;
    this.#published = total;
    this.#publishedAt = now;
    this.#isolateId ??= crypto.randomUUID();
    const key = kvKeys.faultStats(this.#isolateId);
    const value = JSON.stringify({ at: now, counts: this.#counts });
    // An async wrapper: even a KV binding that throws synchronously only fails this write, never the request.
    const write = async () =>
      new KvWriter(kv, "edge-guard").putDocument(key, value, "fault totals of one isolate", { ttlSeconds: STATS_TTL_S, now });
    return write().catch((error: unknown) => {
      // Not published (KV down): the next request after the interval tries again, so the totals catch up.
      if (this.#published === total) this.#published = -1;
      console.error(JSON.stringify({ msg: "fault stats not published", error: String(error) }));
    });
  }
}
