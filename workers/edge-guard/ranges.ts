import { CidrSet } from "../../core/cidr-set";
import { IpSet } from "../../core/ip-set";
import { parseCidr, type Cidr } from "../../core/cidr";
import { RANGE_SNAPSHOT_KEY, RANGE_VERSION_KEY, RANGES_REFRESH_MS, RangeSnapshotSchema, type RangeEntry } from "../../core/range-entries";
import type { Faults } from "./faults";

/**
 * The CIDR and ASN entries, compiled once per snapshot into a CidrSet and a Map, and the listed addresses into an
 * IpSet: a lookup costs a binary search, no storage. A fresh isolate waits for its first load; later ones refresh in the background.
 */
export class RangeCache {
  constructor(private readonly faults: Faults) {}

  #version = "";
  #checkedAt = -Infinity;
  #refreshing: Promise<void> | null = null;
  #cidrs = new CidrSet<RangeEntry>([]);
  #asns = new Map<number, RangeEntry>();
  /** Addresses with an `ip:` entry, from the snapshot; null: none usable (not loaded, older publisher, overflow). */
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

  /** The entry covering a client: the most specific live CIDR, else its ASN's; null when none. */
  lookup(ip: string, asn: number | undefined, now: number): RangeEntry | null {
    const cidr = this.#cidrs.match(ip)?.value ?? null;
    if (cidr !== null && (cidr.expiresAt === null || cidr.expiresAt > now)) return cidr;
    const byAsn = asn === undefined ? undefined : this.#asns.get(asn);
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

  async #load(kv: KVNamespace): Promise<void> {
    try {
      const version = (await kv.get(RANGE_VERSION_KEY)) ?? "";
      if (version === this.#version) return;
      const snapshot = RangeSnapshotSchema.safeParse(await kv.get(RANGE_SNAPSHOT_KEY, "json"));
      if (!snapshot.success) throw new Error(`range snapshot is invalid: ${snapshot.error.message.slice(0, 200)}`);
      const cidrs: Array<readonly [Cidr, RangeEntry]> = [];
      const asns = new Map<number, RangeEntry>();
      for (const entry of snapshot.data.entries) {
        if (entry.scope === "asn") asns.set(Number(entry.value), entry);
        else {
          const cidr = parseCidr(entry.value, "mask");
          if (cidr.ok) cidrs.push([cidr.value, entry]);
        }
      }
      const listed = snapshot.data.listed;
      const addresses = listed === undefined || listed.overflow ? null : IpSet.build(listed.addresses);
      this.#cidrs = new CidrSet(cidrs);
      this.#asns = asns;
      this.#listed = addresses?.ok === true ? addresses.value : null;
      this.#version = version;
    } catch (error) {
      // Keep the last good set: a bad snapshot must not drop every range block at once.
      this.faults.record("blocklist", error);
    }
  }
}
