import { KvWriter } from "../../adapters/kv";
import { kvKeys } from "../../core/kv-keys";

/** Where escalation failed open or held work back: Postgres unreachable (reports retried), model unusable (rules scored), LLM failed (score alone). */
export type EscalationFaultKind = "escalation-database" | "escalation-model" | "escalation-llm";

const counts: Record<EscalationFaultKind, number> = { "escalation-database": 0, "escalation-model": 0, "escalation-llm": 0 };

/** How often the totals go to KV when they changed (same keys as edge-guard's, so admin sums both), and how long KV keeps them. */
export const PUBLISH_INTERVAL_MS = 60_000;
const STATS_TTL_S = 24 * 3600;
let isolateId: string | null = null;
let published = 0;
let publishedAt = 0;

/** Counts `n` faults of one kind in this isolate (the log line is the caller's). */
export function recordEscalationFault(kind: EscalationFaultKind, n = 1): void {
  counts[kind] += n;
}

/** This isolate's totals since it started. */
export function escalationFaultCounts(): Readonly<Record<EscalationFaultKind, number>> {
  return { ...counts };
}

/**
 * Writes this isolate's totals to KV (`stats:faults:escalation-<id>`, also as metadata) when they changed and the
 * interval passed. Never throws: a failed write is tried again after the next batch.
 */
export async function publishEscalationFaults(kv: KVNamespace, now: number, intervalMs = PUBLISH_INTERVAL_MS): Promise<void> {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  if (total === published || now - publishedAt < intervalMs) return;
  isolateId ??= `escalation-${crypto.randomUUID()}`;
  const value = JSON.stringify({ at: now, counts });
  try {
    await new KvWriter(kv, "escalation").putDocument(kvKeys.faultStats(isolateId), value, "fault totals of one escalation isolate", { ttlSeconds: STATS_TTL_S, now });
    published = total;
    publishedAt = now;
  } catch (error) {
    console.error(JSON.stringify({ msg: "escalation fault stats not published", error: String(error) }));
  }
}
