import type { ListedAddress, RangeIndex, RangeItem } from "../durable-objects/range-index";
import { RANGE_INDEX_INSTANCE } from "../core/range-entries";
import { isOwnPeerEntry as isPeersOwn } from "../core/blocklist-entry";
import { isRangeKey, parseKvKey, splitSiteKey } from "../core/kv-keys";
import { KvWriter, type KvMetadata } from "./kv";

/** The bindings a blocklist writer needs: KV for `ip:` entries, the RangeIndex for `cidr:`, `asn:` and `allow:`. */
export interface BlocklistBindings {
  readonly BLOCKLIST: KVNamespace;
  readonly RANGE_INDEX: DurableObjectNamespace<RangeIndex>;
}

/** A stored entry: its key, its raw value, when it lapses (epoch seconds; null: never). */
export type StoredEntry = RangeItem;

/** An entry's value: whatever it is, it says who wrote it and why. */
export interface EntryValue {
  readonly source: KvMetadata["source"];
  readonly reason: string;
  readonly at?: number;
}

/** One entry to write. */
export interface EntryWrite {
  readonly key: string;
  readonly entry: EntryValue;
  /** Seconds until the entry lapses; null: until removed. */
  readonly ttlSeconds: number | null;
  /** A range entry that applies to every site (peer entries are shared on purpose). */
  readonly shared?: boolean;
}

/**
 * Every writer of blocklist and allow-list entries goes through here (admin, peers, escalation, the tarpit):
 * an `ip:` entry is one KV key with its metadata (the edge reads it per address); a `cidr:`, `asn:` or `allow:`
 * entry goes to the RangeIndex, their single writer, which publishes the snapshot the edge loads.
 */
export class BlocklistStore {
  readonly #kv: KvWriter;

  constructor(
    readonly env: BlocklistBindings,
    writer: KvMetadata["source"],
  ) {
    this.#kv = new KvWriter(env.BLOCKLIST, writer);
  }

  /** The RangeIndex (one instance for the deployment). */
  get ranges(): DurableObjectStub<RangeIndex> {
    return this.env.RANGE_INDEX.getByName(RANGE_INDEX_INSTANCE);
  }

  /**
   * Writes entries; with `peer`, a key another source holds is kept (a peer never overwrites a local entry).
   * Returns the keys written and kept.
   */
  async put(
    writes: readonly EntryWrite[],
    now: number,
    options: { readonly peer?: string } = {},
  ): Promise<{ written: string[]; kept: string[] }> {
    const ranges = writes.filter((w) => isRangeKey(w.key));
    const ips = writes.filter((w) => !isRangeKey(w.key));
    const written: string[] = [];
    const kept: string[] = [];
    if (ranges.length > 0) {
      const outcome = await this.ranges.put(
        ranges.map((w) => ({
          key: w.key,
          value: JSON.stringify(w.entry),
          ttlSeconds: w.ttlSeconds,
          shared: w.shared ?? options.peer !== undefined,
        })),
        options,
      );
      written.push(...outcome.written);
      kept.push(...outcome.kept);
    }
    const listed: ListedAddress[] = [];
    await Promise.all(
      ips.map(async (w) => {
        if (options.peer !== undefined) {
          const existing = await this.env.BLOCKLIST.get(w.key);
          if (existing !== null && !isPeersOwn(existing, options.peer)) return void kept.push(w.key);
        }
        await this.#kv.putEntry(w.key, w.entry, { ttlSeconds: w.ttlSeconds, now });
        written.push(w.key);
        const parsed = parseKvKey(w.key);
        if (parsed?.kind === "ip")
          listed.push({
            ip: parsed.rest,
            site: splitSiteKey(w.key).site,
            expiresAt: w.ttlSeconds === null ? null : now + w.ttlSeconds * 1000,
          });
      }),
    );
    // After the KV write: the edge reads an address's entry only when the snapshot lists it, so the entry must be there.
    if (listed.length > 0) await this.ranges.noteListed(listed);
    return { written, kept };
  }

  /** The raw values of entries that exist (ranges in one RangeIndex call). */
  async getMany(keys: readonly string[]): Promise<Map<string, string>> {
    const ranges = keys.filter(isRangeKey);
    const ips = keys.filter((key) => !isRangeKey(key));
    const found = new Map<string, string>();
    if (ranges.length > 0) for (const item of await this.ranges.get(ranges)) found.set(item.key, item.raw);
    const values = await Promise.all(ips.map((key) => this.env.BLOCKLIST.get(key)));
    ips.forEach((key, i) => {
      const value = values[i];
      if (value !== null && value !== undefined) found.set(key, value);
    });
    return found;
  }

  /** The raw value of an entry, or null when there is none. */
  async get(key: string): Promise<string | null> {
    if (!isRangeKey(key)) return this.env.BLOCKLIST.get(key);
    return (await this.ranges.get([key]))[0]?.raw ?? null;
  }

  /** Removes an entry (with `peer`, only that peer's own); answers its old raw value, or null when none was removed. */
  async remove(key: string, options: { readonly peer?: string } = {}): Promise<string | null> {
    if (isRangeKey(key)) return (await this.ranges.remove([key], options))[0]?.raw ?? null;
    const old = await this.env.BLOCKLIST.get(key);
    if (old === null || (options.peer !== undefined && !isPeersOwn(old, options.peer))) return null;
    await this.env.BLOCKLIST.delete(key);
    const parsed = parseKvKey(key);
    if (parsed?.kind === "ip") await this.ranges.unnoteListed([parsed.rest], splitSiteKey(key).site);
    return old;
  }
}
