import { CidrSet } from "../../core/cidr-set";
import { IpSet } from "../../core/ip-set";
import { parseCidr, type Cidr } from "../../core/cidr";
import {
  appliesToSite,
  RANGE_SNAPSHOT_KEY,
  RANGE_VERSION_KEY,
  RANGES_REFRESH_MS,
  RangeSnapshotSchema,
  type RangeEntry,
} from "../../core/range-entries";
import { DEFAULT_SITE_ID } from "../../core/sites";
import type { Faults } from "./faults";

/** Sites whose compiled range sets one isolate keeps at once. */
const MAX_SITE_SETS = 64;

interface SiteSet {
  readonly cidrs: CidrSet<RangeEntry>;
  readonly asns: Map<number, RangeEntry>;
}

/**
 * The CIDR and ASN entries, compiled once per snapshot and site into a CidrSet and a Map, and the listed addresses into
 * an IpSet: a lookup costs a binary search, no storage. A site sees its own entries and the ones shared across all
 * sites. A fresh isolate waits for its first load; later ones refresh in the background.
 */
export class RangeCache {
  constructor(private readonly faults: Faults) {}

  #version = "";
  #checkedAt = -Infinity;
  #refreshing: Promise<void> | null = null;
  #entries: readonly RangeEntry[] = [];
  #sets = new Map<string, SiteSet>();
  /**
   * Addresses with an `ip:` entry on any site, from the snapshot; null: none usable (not loaded, older publisher,
   * overflow). A hint only: a listed address's entry is read from its site's key.
   */
  #listed: IpSet | null = null;

  /** Brings the cache up to date when due: awaited once per isolate, in the background afterwards. */
  async refresh(kv: KVNamespace, now: number, waitUntil: (p: Promise<unknown>) => void): Promise<void> {
    if (now - this.#checkedAt < RANGES_REFRESH_MS || this.#refreshing !== null) return;
    const first = this.#checkedAt === -Infinity;
    this.#checkedAt = now;
    this.#refreshing = this.#load(kv).finally(() => (this.#refreshing = null));
    if (first) await this.#refreshing;
    else waitUntil(this.#refreshing);
  }

  /** The entry covering a client on `site`: the most specific live CIDR, else its ASN's; null when none. */
  lookup(ip: string, asn: number | undefined, now: number, site: string = DEFAULT_SITE_ID): RangeEntry | null {
    const set = this.#setOf(site);
    const cidr = set.cidrs.match(ip)?.value ?? null;
    if (cidr !== null && (cidr.expiresAt === null || cidr.expiresAt > now)) return cidr;
    const byAsn = asn === undefined ? undefined : set.asns.get(asn);
    return byAsn !== undefined && (byAsn.expiresAt === null || byAsn.expiresAt > now) ? byAsn : null;
  }

  /**
   * Whether an address has an `ip:` entry, from memory: false means its KV read can be skipped (a new client costs no
   * read); true means read it; null means the snapshot cannot say (not loaded, published by an older RangeIndex, or
   * over MAX_LISTED_ADDRESSES), so read it.
   */
  listed(ip: string): boolean | null {
    return this.#listed === null ? null : this.#listed.has(ip);
  }

  /** The compiled set of one site: its own entries win over shared ones of the same network; an allow wins over a block. */
  #setOf(site: string): SiteSet {
    const known = this.#sets.get(site);
    if (known !== undefined) return known;
    const chosen = new Map<string, RangeEntry>();
    for (const entry of this.#entries) {
      if (!appliesToSite(entry, site)) continue;
      const id = `${entry.scope}:${entry.value}`;
      const held = chosen.get(id);
      const own = (e: RangeEntry) => e.site === site;
      if (held === undefined || (own(entry) && !own(held)) || (own(entry) === own(held) && entry.action === "allow")) chosen.set(id, entry);
    }
    const cidrs: Array<readonly [Cidr, RangeEntry]> = [];
    const asns = new Map<number, RangeEntry>();
    for (const entry of chosen.values()) {
      if (entry.scope === "asn") asns.set(Number(entry.value), entry);
      else {
        const cidr = parseCidr(entry.value, "mask");
        if (cidr.ok) cidrs.push([cidr.value, entry]);
      }
    }
    const set = { cidrs: new CidrSet(cidrs), asns };
    if (this.#sets.size >= MAX_SITE_SETS) this.#sets.clear();
    this.#sets.set(site, set);
    return set;
  }

  async #load(kv: KVNamespace): Promise<void> {
    try {
      const version = (await kv.get(RANGE_VERSION_KEY)) ?? "";
      if (version === this.#version) return;
      const snapshot = RangeSnapshotSchema.safeParse(await kv.get(RANGE_SNAPSHOT_KEY, "json"));
      if (!snapshot.success) throw new Error(`range snapshot is invalid: ${snapshot.error.message.slice(0, 200)}`);
      const listed = snapshot.data.listed;
      const addresses = listed === undefined || listed.overflow ? null : IpSet.build(listed.addresses);
      this.#entries = snapshot.data.entries;
      this.#sets = new Map();
      this.#listed = addresses?.ok === true ? addresses.value : null;
      this.#version = version;
    } catch (error) {
      // Keep the last good set: a bad snapshot must not drop every range block at once.
      this.faults.record("blocklist", error);
    }
  }
}
