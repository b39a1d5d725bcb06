import { z } from "zod";
import { kvKeys } from "./kv-keys";

/** KV key of the flagged-groups snapshot: written by the FleetLedger index, read by every edge isolate and by admin. */
export const FLEET_INDEX_KV_KEY = kvKeys.fleetIndex;
/** Most groups the snapshot holds (the newest flags win): bounds what every isolate loads. */
export const FLEET_INDEX_MAX_GROUPS = 500;
/** Most member addresses shown per group. */
export const FLEET_MEMBERS_SHOWN = 20;

/** One flagged group as the dashboard shows it. */
export const FlaggedGroupSchema = z.object({
  group: z.string().max(64),
  /** Epoch ms: first flagged, and until when its members are challenged. */
  since: z.number().int(),
  until: z.number().int(),
  /** Addresses with evidence in the window (at most FLEET_MEMBERS_SHOWN), and how many there were in all. */
  members: z.array(z.string().max(64)).max(FLEET_MEMBERS_SHOWN),
  addresses: z.number().int().nonnegative(),
  /** Evidence code → events in the window. */
  evidence: z.record(z.string().max(64), z.number().int().nonnegative()),
  /** A sample User-Agent of the group, for the operator. */
  userAgent: z.string().max(300),
});
export type FlaggedGroup = z.infer<typeof FlaggedGroupSchema>;

export const FleetIndexSchema = z.object({ at: z.number().int(), groups: z.array(FlaggedGroupSchema).max(FLEET_INDEX_MAX_GROUPS) });
export type FleetIndex = z.infer<typeof FleetIndexSchema>;

/** Merges one group's new state into the snapshot: replaces its entry, drops expired ones, keeps the newest. */
export function mergeFleetIndex(index: FleetIndex | null, flagged: FlaggedGroup, now: number): FleetIndex {
  const others = (index?.groups ?? []).filter((g) => g.group !== flagged.group && g.until > now);
  const groups = [flagged, ...others].sort((a, b) => b.until - a.until).slice(0, FLEET_INDEX_MAX_GROUPS);
  return { at: now, groups };
}
