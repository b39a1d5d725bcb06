import { z } from "zod";
import { KV_PREFIX } from "./kv-keys";

/** KV key prefix of an edge isolate's fault totals: `stats:faults:<isolate id>`. */
export const FAULT_STATS_PREFIX = KV_PREFIX.faultStats;

/** One isolate's fail-open fault totals by kind since it started. */
export const FaultStatsSchema = z.object({ at: z.number().int(), counts: z.record(z.string(), z.number().int().nonnegative()) });
export type FaultStats = z.infer<typeof FaultStatsSchema>;

/** Sums many isolates' totals by kind (admin's view of faults across the fleet, over the keys' lifetime). */
export function sumFaultStats(values: readonly unknown[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const value of values) {
    const parsed = FaultStatsSchema.safeParse(value);
    if (!parsed.success) continue;
    for (const [kind, n] of Object.entries(parsed.data.counts)) out[kind] = (out[kind] ?? 0) + n;
  }
  return out;
}
