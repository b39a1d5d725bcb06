import { z } from "zod";
import { KV_PREFIX, siteKeys, splitSiteKey } from "../kv-keys";
import { DEFAULT_SITE_ID } from "../sites";
import { parseTarget, type BlockTarget } from "./block-target";

/** Key prefix of allow-list entries: `allow:<canonical ip>` or `allow:<canonical cidr>` (core/kv-keys.ts), kept by the RangeIndex. */
export const ALLOW_KEY_PREFIX = KV_PREFIX.allow;

/**
 * The value of an allow-list entry. The edge lets an allow-listed client through before any blocklist or signal
 * (from the RangeIndex snapshot each isolate caches); admin refuses blocks that overlap one.
 */
export const AllowEntrySchema = z.object({
  reason: z.string().max(200),
  source: z.literal("operator"),
  /** Who added it (operator name or token name). */
  by: z.string().max(100),
  /** Epoch ms when the entry was written. */
  at: z.number().int().nonnegative(),
});
export type AllowEntry = z.infer<typeof AllowEntrySchema>;

/** An allow-list target: one address or one network (never an AS number). */
export type AllowTarget = Extract<BlockTarget, { kind: "ip" | "cidr" }>;

/** The key of a site's allow-list entry (`allow:…`, with the site's prefix). */
export function allowKey(target: AllowTarget, site: string = DEFAULT_SITE_ID): string {
  return siteKeys(site).allow(target.kind === "ip" ? target.ip : target.cidr.text);
}

/** The target an `allow:` key names; null for any other key. */
export function targetOfAllowKey(key: string): AllowTarget | null {
  const own = splitSiteKey(key).key;
  if (!own.startsWith(ALLOW_KEY_PREFIX)) return null;
  const parsed = parseTarget(own.slice(ALLOW_KEY_PREFIX.length));
  return parsed.ok && parsed.value.kind !== "asn" ? parsed.value : null;
}

/** Parses a KV value; null when it is not an allow entry (the key still allows: an operator wrote it on purpose). */
export function parseAllowEntry(raw: string | null): AllowEntry | null {
  if (raw === null) return null;
  try {
    const parsed = AllowEntrySchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
