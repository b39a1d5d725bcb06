import { parseBlocklistEntry, type BlocklistEntry } from "../../core/blocklist-entry";
import { LruMap } from "../../core/lru";

/** Entries cached per isolate before the least recently used are dropped. */
export const MAX_CACHED = 50_000;
/**
 * How long "not listed" is trusted for a quiet client: KV's own edge cache (`cacheTtl: 60`) already answers a read up
 * to this old, so trusting it as long in the isolate loses no freshness and saves one billed KV read per client per
 * 10 s. A client under suspicion is shortened to `ttlMs` (`suspect`).
 */
export const NOT_LISTED_TTL_MS = 60_000;

interface Cached {
  readonly entry: BlocklistEntry | null;
  readonly until: number;
}

/**
 * The per-IP KV blocklist with an in-isolate cache, by KV key (`siteKeys(site).ip(ip)`: each site has its own entries), so a returning client costs no KV read for `ttlMs`.
 * On a KV fault a client already known blocked stays blocked (stale entry); anyone else fails open.
 */
export class BlocklistCache {
  readonly #cache = new LruMap<string, Cached>(MAX_CACHED);

  constructor(readonly ttlMs: number) {}

  /**
   * The client's entry, or null when it is not listed. Throws on a KV fault with nothing cached. A known client is
   * answered from the cache; once its entry is older than `ttlMs` it is re-read off the response path (`waitUntil`),
   * so a returning client never waits for KV and a new block still arrives within `ttlMs` of its next request.
   */
  async lookup(kv: KVNamespace, key: string, now: number, waitUntil?: (p: Promise<unknown>) => void): Promise<BlocklistEntry | null> {
    const cached = this.#cache.get(key);
    if (cached !== undefined && cached.until > now) return cached.entry;
    if (cached !== undefined && waitUntil !== undefined) {
      this.#cache.set(key, { entry: cached.entry, until: now + this.#ttl(cached.entry) }); // one refresh in flight per client
      waitUntil(this.#read(kv, key, now).catch(() => undefined)); // a failed refresh keeps the entry for another ttl
      return cached.entry;
    }
    try {
      const raw = await kv.get(key, { cacheTtl: 60 });
      const entry = raw === null ? null : parseBlocklistEntry(raw);
      this.remember(key, entry, now);
      return entry;
    } catch (error) {
      if (cached?.entry) return cached.entry;
      throw error;
    }
  }

  async #read(kv: KVNamespace, key: string, now: number): Promise<void> {
    const raw = await kv.get(key, { cacheTtl: 60 });
    this.remember(key, raw === null ? null : parseBlocklistEntry(raw), now);
  }

  /** The cached entry while it is fresh (this isolate's own label, say), else null; never reads KV. */
  fresh(key: string, now: number): BlocklistEntry | null {
    const cached = this.#cache.peek(key);
    return cached !== undefined && cached.until > now ? cached.entry : null;
  }

  /** Whether this isolate has an entry (fresh or due for a background refresh) for `key`: a known client. */
  knows(key: string): boolean {
    return this.#cache.peek(key) !== undefined;
  }

  /** A client now under suspicion: its cached "not listed" is re-read within `ttlMs`, so a new block arrives soon. */
  suspect(key: string, now: number): void {
    const cached = this.#cache.peek(key);
    if (cached !== undefined && cached.until > now + this.ttlMs) this.#cache.set(key, { entry: cached.entry, until: now + this.ttlMs });
  }

  #ttl(entry: BlocklistEntry | null): number {
    return entry === null ? Math.max(NOT_LISTED_TTL_MS, this.ttlMs) : this.ttlMs;
  }

  /** Entries cached now. */
  get size(): number {
    return this.#cache.size;
  }

  /** Records what this isolate itself just learned (e.g. it wrote the entry), so the next request sees it. */
  remember(key: string, entry: BlocklistEntry | null, now: number, ttlMs = this.#ttl(entry)): void {
    this.#cache.set(key, { entry, until: now + ttlMs });
  }
}
