import { KvWriter } from "../../adapters/kv";
import { kvKeys } from "../../core/kv-keys";

/** Where a fault inside edge-guard happened. Each is failed open: the request goes on as if the part said nothing. */
export type FaultKind =
  | "blocklist" | "ledger" | "report" | "tarpit" | "decide" | "policy" | "robots" | "web-bot-auth" | "challenge" | "honeypot" | "fleet" | "pass"
  | "data-refresh" | "origin";

const counts: Record<FaultKind, number> = {
  blocklist: 0, ledger: 0, report: 0, tarpit: 0, decide: 0, policy: 0, robots: 0, "web-bot-auth": 0, challenge: 0, honeypot: 0, fleet: 0, pass: 0,
  "data-refresh": 0, origin: 0,
};

/** Counts and logs a fault that was failed open. The client never learns of it. */
export function recordFault(kind: FaultKind, error: unknown): void {
  counts[kind] += 1;
  const message = error instanceof Error ? error.message : String(error);
  console.error(JSON.stringify({ msg: "edge-guard fault, failed open", code: `fault_${kind}`, kind, error: message, total: counts[kind] }));
}

/** How often an isolate publishes its totals (only when they changed), and how long KV keeps them. */
export const PUBLISH_INTERVAL_MS = 60_000;
const STATS_TTL_S = 24 * 3600;
// Random values are not allowed at a Worker's global scope: the id is made on the first publish.
let isolateId: string | null = null;
let published = 0;
let publishedAt = 0;

/**
 * Writes this isolate's fault totals to KV (`stats:faults:<isolate>`, value also as metadata so admin lists
 * them in one call) when they changed and a minute has passed. Returns the write for `waitUntil`, or null.
 */
export function publishFaults(kv: KVNamespace, now: number, intervalMs = PUBLISH_INTERVAL_MS): Promise<void> | null {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  if (total === published || now - publishedAt < intervalMs) return null;
  published = total;
  publishedAt = now;
  isolateId ??= crypto.randomUUID();
  const key = kvKeys.faultStats(isolateId);
  const value = JSON.stringify({ at: now, counts });
  // An async wrapper: even a KV binding that throws synchronously only fails this write, never the request.
  const write = async () => new KvWriter(kv, "edge-guard").putDocument(key, value, "fault totals of one isolate", { ttlSeconds: STATS_TTL_S, now });
  return write().catch((error: unknown) => {
    // Not published (KV down): the next request after the interval tries again, so the totals catch up.
    if (published === total) published = -1;
    console.error(JSON.stringify({ msg: "fault stats not published", error: String(error) }));
  });
}

/** Faults counted in this isolate since it started. */
export function faultCounts(): Readonly<Record<FaultKind, number>> {
  return { ...counts };
}
