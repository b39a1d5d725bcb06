import { KvWriter } from "../../adapters/kv";
import { kvKeys } from "../../core/kv-keys";

/** Where escalation failed open or held work back: Postgres unreachable (reports retried), model unusable (rules scored), LLM failed (score alone). */
export type EscalationFaultKind = "escalation-database" | "escalation-model" | "escalation-llm";

/** How often the totals go to KV when they changed (same keys as edge-guard's, so admin sums both), and how long KV keeps them. */
export const PUBLISH_INTERVAL_MS = 60_000;
const STATS_TTL_S = 24 * 3600;

/** One isolate's fault totals (part of its escalation state), published to KV for admin's overview and /metrics. */
export class EscalationFaults {
  readonly #counts: Record<EscalationFaultKind, number> = { "escalation-database": 0, "escalation-model": 0, "escalation-llm": 0 };
  #isolateId: string | null = null;
  #published = 0;
  #publishedAt = 0;

  /** Counts `n` faults of one kind (the log line is the caller's). */
  record(kind: EscalationFaultKind, n = 1): void {
    this.#counts[kind] += n;
  }

  /** This isolate's totals since it started. */
  counts(): Readonly<Record<EscalationFaultKind, number>> {
    return { ...this.#counts };
  }

  /**
   * Writes the totals to KV (`stats:faults:escalation-<id>`, also as metadata) when they changed and the interval
   * passed. Never throws: a failed write is tried again after the next batch.
   */
  async publish(kv: KVNamespace, now: number, intervalMs = PUBLISH_INTERVAL_MS): Promise<void> {
    const total = Object.values(this.#counts).reduce((a, b) => a + b, 0);
    if (total === this.#published || now - this.#publishedAt < intervalMs) return;
    this.#isolateId ??= `escalation-${crypto.randomUUID()}`; // random values are not allowed at global scope
    const value = JSON.stringify({ at: now, counts: this.#counts });
    try {
      await new KvWriter(kv, "escalation").putDocument(
        kvKeys.faultStats(this.#isolateId),
        value,
        "fault totals of one escalation isolate",
        { ttlSeconds: STATS_TTL_S, now },
      );
      this.#published = total;
      this.#publishedAt = now;
    } catch (error) {
      console.error(JSON.stringify({ msg: "escalation fault stats not published", error: String(error) }));
    }
  }
}
