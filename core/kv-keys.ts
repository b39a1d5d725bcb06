import { DEFAULT_SITE_ID } from "./sites";

/**
 * Every key of the shared BLOCKLIST KV namespace, built and parsed here and nowhere else. Range entries
 * (`cidr:`, `asn:`, `allow:`) are kept by the RangeIndex Durable Object, which publishes them to KV as one
 * snapshot (`ranges:snapshot`); their key text is still the entry's id in that object and in the audit log.
 */
export const KV_PREFIX = {
  ip: "ip:",
  cidr: "cidr:",
  asn: "asn:",
  allow: "allow:",
  faultStats: "stats:faults:",
} as const;

/** The kinds of key that name one entry of a kind (the rest are single documents). */
export type KvEntryKind = keyof typeof KV_PREFIX;
/** The kinds the RangeIndex keeps: entries that cover many addresses, and the allow-list. */
export type RangeKeyKind = "cidr" | "asn" | "allow";
export const RANGE_KEY_KINDS: readonly RangeKeyKind[] = ["cidr", "asn", "allow"];

/** Key builders. Pass canonical text: an address as `parseIp` writes it, a CIDR as `parseCidr` writes it. */
export const kvKeys = {
  /** An address's blocklist entry or bot label. */
  ip: (ip: string): string => `${KV_PREFIX.ip}${ip}`,
  /** A network's blocklist entry, e.g. `cidr:203.0.113.0/24` (RangeIndex). */
  cidr: (cidr: string): string => `${KV_PREFIX.cidr}${cidr}`,
  /** An autonomous system's blocklist entry, e.g. `asn:64500` (RangeIndex). */
  asn: (asn: number): string => `${KV_PREFIX.asn}${asn}`,
  /** An allow-list entry: `allow:<canonical ip>` or `allow:<canonical cidr>` (RangeIndex). */
  allow: (ipOrCidr: string): string => `${KV_PREFIX.allow}${ipOrCidr}`,
  /** One edge isolate's fail-open fault totals. */
  faultStats: (isolate: string): string => `${KV_PREFIX.faultStats}${isolate}`,
  /** The policy the edge enforces: admin writes it, every edge isolate reads it. */
  policy: "policy:active",
  /** The MODE var edge-guard runs with (core/mode.ts), published so admin can show which setting is in force. */
  edgeModeVar: "stats:edge-mode-var",
  /** The compiled range snapshot the RangeIndex publishes, and its version (small, read often by every isolate). */
  rangeSnapshot: "ranges:snapshot",
  rangeVersion: "ranges:version",
  /** The flagged fleet groups the FleetLedger index publishes. */
  fleetIndex: "fleet:index",
  /** Refreshed data (data-refresh Cron Trigger); absent: the bundled snapshot is used. */
  aiAgents: "data:ai-agents",
  crawlerRanges: "data:crawler-ranges",
  declaredBots: "data:declared-bots",
  /** The sites document (core/sites.ts): admin writes it, every edge isolate reads it. Absent: one (default) site. */
  sites: "sites:directory",
} as const;

/** Prefix of every key a non-default site owns: `site:<id>:`. */
export const SITE_KEY_PREFIX = "site:";

/** The prefix of a site's own keys: none for the default site (a single-site deployment's keys are its keys). */
export function siteKeyPrefix(site: string): string {
  return site === DEFAULT_SITE_ID ? "" : `${SITE_KEY_PREFIX}${site}:`;
}

/**
 * The keys one site owns: its policy, `ip:` entries and labels, and its range entries' ids (RangeIndex). The default
 * site's are today's keys unchanged, so a single-site deployment's existing data is the default site's (no rewrite).
 */
export function siteKeys(site: string): SiteKeys {
  return new SiteKeys(siteKeyPrefix(site));
}

/** One site's key builders: methods on a prototype, so building them per request allocates one small object. */
export class SiteKeys {
  constructor(readonly prefix: string) {}
  /** An address's blocklist entry or bot label. */
  ip(ip: string): string {
    return this.prefix + kvKeys.ip(ip);
  }
  cidr(cidr: string): string {
    return this.prefix + kvKeys.cidr(cidr);
  }
  asn(asn: number): string {
    return this.prefix + kvKeys.asn(asn);
  }
  allow(ipOrCidr: string): string {
    return this.prefix + kvKeys.allow(ipOrCidr);
  }
  get policy(): string {
    return this.prefix + kvKeys.policy;
  }
  /** A counting key (ClientLedger name, e.g. `ip:1.2.3.4`) of this site. */
  counter(key: string): string {
    return this.prefix + key;
  }
}

/** A key split into the site owning it and the key as the default site would write it. */
export function splitSiteKey(key: string): { readonly site: string; readonly key: string } {
  if (!key.startsWith(SITE_KEY_PREFIX)) return { site: DEFAULT_SITE_ID, key };
  const end = key.indexOf(":", SITE_KEY_PREFIX.length);
  if (end === -1) return { site: DEFAULT_SITE_ID, key };
  return { site: key.slice(SITE_KEY_PREFIX.length, end), key: key.slice(end + 1) };
}

/**
 * A key split into its kind and the rest (the target text); null for single-document keys and unknown ones. A site's
 * key (`site:<id>:ip:…`) parses like the default site's; `splitSiteKey` names the site.
 */
export function parseKvKey(key: string): { readonly kind: KvEntryKind; readonly rest: string } | null {
  const own = splitSiteKey(key).key;
  for (const kind of Object.keys(KV_PREFIX) as KvEntryKind[]) {
    if (own.startsWith(KV_PREFIX[kind])) return { kind, rest: own.slice(KV_PREFIX[kind].length) };
  }
  return null;
}

/** True when the key is one the RangeIndex keeps (`cidr:`, `asn:`, `allow:`). */
export function isRangeKey(key: string): boolean {
  const kind = parseKvKey(key)?.kind;
  return kind === "cidr" || kind === "asn" || kind === "allow";
}
