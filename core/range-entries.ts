import { z } from "zod";
import { BlocklistSourceSchema, parseBlocklistEntry } from "./blocklist-entry";
import { parseCidr } from "./cidr";
import { kvKeys, parseKvKey, splitSiteKey } from "./kv-keys";
import { DEFAULT_SITE_ID } from "./sites";

/**
 * Entries that cover many addresses: a CIDR or an ASN, to block, keep in the labyrinth, or allow (an operator's
 * allow-list, which nothing learned automatically may override). Kept by the RangeIndex Durable Object (their one
 * writer) under `cidr:`, `asn:` and `allow:` ids and published as one KV snapshot, since an edge cannot look up
 * "which CIDR holds this IP" key by key.
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
  /** The site that owns the entry (absent in a snapshot from before sites: the default site). */
  site: z.string().max(63).default(DEFAULT_SITE_ID),
  /** Applies to every site, not only its own (an operator's "share blocks across my sites", and peer feeds). */
  shared: z.boolean().default(false),
});
export type RangeEntry = z.infer<typeof RangeEntrySchema>;

/** The KV snapshot the edge loads: every live range entry. */
/**
 * Most listed addresses (`ip:` entries) the snapshot carries. An edge isolate holds them as an IpSet (4 bytes per IPv4
 * address, 16 per IPv6: under 2 MB at the cap) and answers "is this new client listed?" from memory; past the cap the
 * snapshot says `overflow` and every isolate falls back to awaiting the client's KV read, as before the snapshot.
 */
export const MAX_LISTED_ADDRESSES = 100_000;

/**
 * The addresses that have an `ip:` entry now (block or label; the entry itself stays in KV, read on a hit). Absent
 * (an older publisher) or `overflow`: not usable, so the edge reads KV for every new client.
 */
export const ListedAddressesSchema = z.object({
  addresses: z.array(z.string().max(64)).max(MAX_LISTED_ADDRESSES),
  overflow: z.boolean(),
});
export type ListedAddresses = z.infer<typeof ListedAddressesSchema>;

export const RangeSnapshotSchema = z.object({
  v: z.literal(1),
  version: z.number().int(),
  entries: z.array(RangeEntrySchema),
  listed: ListedAddressesSchema.optional(),
});
export type RangeSnapshot = z.infer<typeof RangeSnapshotSchema>;

/** How often an edge isolate checks the (small) version key for a new range snapshot: a new entry's way to the edge. */
export const RANGES_REFRESH_MS = 15_000;

/** Name of the one instance: every range entry of the deployment goes through it. */
export const RANGE_INDEX_INSTANCE = "global";

/** KV key of the snapshot, and of its version (small, read often). */
export const RANGE_SNAPSHOT_KEY = kvKeys.rangeSnapshot;
export const RANGE_VERSION_KEY = kvKeys.rangeVersion;

/**
 * The snapshot entry a range key and its stored value stand for; null when the key is not a range key or names
 * no valid network or AS number. `expiresAt` in epoch ms (null: never). An allow key's value does not matter.
 */
export function rangeEntryOf(key: string, raw: string, expiresAt: number | null, shared = false): RangeEntry | null {
  const parsed = parseKvKey(key);
  if (parsed === null) return null;
  const { site } = splitSiteKey(key);
  if (parsed.kind === "allow") {
    const cidr = parseCidr(parsed.rest, "mask");
    return cidr.ok
      ? { scope: "cidr", value: cidr.value.text, action: "allow", reason: "allow-list", source: "operator", expiresAt, at: 0, site, shared }
      : null;
  }
  const entry = parseBlocklistEntry(raw);
  const of = { action: entry.action, reason: entry.reason, source: entry.source, expiresAt, at: entry.at, site, shared };
  if (parsed.kind === "asn") {
    const asn = /^(?:as)?(\d{1,10})$/i.exec(parsed.rest)?.[1];
    return asn === undefined ? null : { scope: "asn", value: asn, ...of };
  }
  if (parsed.kind !== "cidr") return null;
  const cidr = parseCidr(parsed.rest, "mask");
  return cidr.ok ? { scope: "cidr", value: cidr.value.text, ...of } : null;
}

/** Whether a range entry applies to requests of `site`: its own entries, and entries shared across all sites. */
export function appliesToSite(entry: Pick<RangeEntry, "site" | "shared">, site: string): boolean {
  return entry.shared || entry.site === site;
}

/**
 * Live entries, one per site and network or AS number (an allow entry wins over a block of the same network), sorted.
 * `shared`: the entry applies to every site.
 */
export function compileRangeEntries(
  items: readonly { key: string; raw: string; expiresAt: number | null; shared?: boolean }[],
  now: number,
): RangeEntry[] {
  const entries = new Map<string, RangeEntry>();
  for (const item of items) {
    if (item.expiresAt !== null && item.expiresAt <= now) continue;
    const entry = rangeEntryOf(item.key, item.raw, item.expiresAt, item.shared ?? false);
    if (entry === null) continue;
    const id = `${entry.site}|${entry.scope}:${entry.value}`;
    if (entries.get(id)?.action !== "allow") entries.set(id, entry);
  }
  const order = (e: RangeEntry) => `${e.scope}${e.value}|${e.site}`;
  return [...entries.values()].sort((a, b) => (order(a) < order(b) ? -1 : 1));
}
