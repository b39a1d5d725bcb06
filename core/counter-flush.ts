/** When the edge's in-isolate rate counters (workers/edge-guard/counters.ts) are flushed to their ClientLedger objects. */

/** Least time between two flushes of one key to its Durable Object: bounds DO load from a hot key. */
export const FLUSH_INTERVAL_MS = 10_000;
/**
 * Local requests per minute below which a key that was never synced stays local (pay per suspicion): a quiet client
 * costs no Durable Object call at all, and its hits count in this isolate's own window only. A key at or past it (a
 * busy client, prefix, group or ASN) is flushed every FLUSH_INTERVAL_MS, and a key synced once (a client under
 * suspicion) keeps being flushed. A third of the lowest rate limit (60 a minute per IP): a client that spreads under
 * 20 requests a minute over each of many isolates is counted per isolate only.
 */
export const FLUSH_MIN_PER_MINUTE = 20;
