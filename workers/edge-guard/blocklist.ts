import { blocklistKey } from "../../core/blocklist-key";
import { parseBlocklistEntry, type BlocklistEntry } from "../../core/blocklist-entry";

/** Entries cached per isolate before the oldest are dropped. */
const MAX_CACHED = 50_000;

interface Cached {
  readonly entry: BlocklistEntry | null;
  readonly until: number;
}

/**
 * The per-IP KV blocklist with an in-isolate cache, so a returning client costs no KV read for `ttlMs`.
 * On a KV fault a client already known blocked stays blocked (stale entry); anyone else fails open.
 */
export class BlocklistCache {
  readonly #cache = new Map<string, Cached>();

  constructor(readonly ttlMs: number) {}

  /**
   * The client's entry, or null when it is not listed. Throws on a KV fault with nothing cached. A known client is
   * answered from the cache; once its entry is older than `ttlMs` it is re-read off the response path (`waitUntil`),
   * so a returning client never waits for KV and a new block still arrives within `ttlMs` of its next request.
   */
  async lookup(kv: KVNamespace, ip: string, now: number, waitUntil?: (p: Promise<unknown>) => void): Promise<BlocklistEntry | null> {
    const cached = this.#cache.get(ip);
    if (cached !== undefined && cached.until > now) return cached.entry;
    if (cached !== undefined && waitUntil !== undefined) {
      this.#cache.set(ip, { entry: cached.entry, until: now + this.ttlMs }); // one refresh in flight per client
      waitUntil(this.#read(kv, ip, now).catch(() => undefined)); // a failed refresh keeps the entry for another ttl
      return cached.entry;
    }
    try {
      const raw = await kv.get(blocklistKey(ip), { cacheTtl: 60 });
      const entry = raw === null ? null : parseBlocklistEntry(raw);
      this.remember(ip, entry, now);
      return entry;
    } catch (error) {
      if (cached?.entry) return cached.entry;
      throw error;
    }
  }

  async #read(kv: KVNamespace, ip: string, now: number): Promise<void> {
    const raw = await kv.get(blocklistKey(ip), { cacheTtl: 60 });
    this.remember(ip, raw === null ? null : parseBlocklistEntry(raw), now);
  }

  /** Entries cached now. */
  get size(): number {
    return this.#cache.size;
  }

  /** Records what this isolate itself just learned (e.g. it wrote the entry), so the next request sees it. */
  remember(ip: string, entry: BlocklistEntry | null, now: number): void {
    if (this.#cache.size >= MAX_CACHED) {
      const oldest = this.#cache.keys().next();
      if (!oldest.done) this.#cache.delete(oldest.value);
    }
    this.#cache.delete(ip);
    this.#cache.set(ip, { entry, until: now + this.ttlMs });
  }
}
