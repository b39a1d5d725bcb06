import { blocklistKey } from "../../core/blocklist-key";
import { parseBlocklistEntry, type BlocklistEntry } from "../../core/blocklist-entry";

/** Entries cached per isolate before the oldest are dropped. */
export const MAX_CACHED = 50_000;

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

  /** Entries held now (at most MAX_CACHED). */
  get size(): number {
    return this.#cache.size;
  }

  /** The client's entry, or null when it is not listed. Throws on a KV fault with nothing cached. */
  async lookup(kv: KVNamespace, ip: string, now: number): Promise<BlocklistEntry | null> {
    const cached = this.#cache.get(ip);
    if (cached !== undefined && cached.until > now) return cached.entry;
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
