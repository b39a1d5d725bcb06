import { z } from "zod";
import { BlocklistSourceSchema } from "./blocklist-entry";

/**
 * Entries that cover many addresses: a CIDR or an ASN, to block, keep in the labyrinth, or allow (an operator's
 * allow-list, which nothing learned automatically may override). Written as `cidr:`, `asn:` and `allow:` KV keys
 * by whoever learns them, compiled into one KV snapshot by edge-guard's Cron Trigger, since an edge cannot look
 * up "which CIDR holds this IP" key by key.
 */
export const RangeEntrySchema = z.object({
  scope: z.enum(["cidr", "asn"]),
  /** Canonical CIDR text, or the AS number as text. */
  value: z.string().min(1).max(50),
  action: z.enum(["block", "tarpit", "allow"]),
  reason: z.string().max(200),
  source: BlocklistSourceSchema,
  /** Epoch ms; null: until removed. */
  expiresAt: z.number().int().nullable(),
  /** Epoch ms when written. */
  at: z.number().int().nonnegative(),
});
export type RangeEntry = z.infer<typeof RangeEntrySchema>;

/** The KV snapshot the edge loads: every live range entry. */
export const RangeSnapshotSchema = z.object({ v: z.literal(1), version: z.number().int(), entries: z.array(RangeEntrySchema) });
export type RangeSnapshot = z.infer<typeof RangeSnapshotSchema>;

/** KV key of the snapshot, and of its version (small, read often). */
export const RANGE_SNAPSHOT_KEY = "ranges:snapshot";
export const RANGE_VERSION_KEY = "ranges:version";
