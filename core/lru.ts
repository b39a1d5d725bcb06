/**
 * A Map with a size cap that drops the least recently used entry when full, and counts what it dropped: every
 * per-isolate structure keyed by something a client chooses (address, header set, token) is one of these, so an
 * isolate's memory stays bounded whatever the traffic (a production isolate has 128 MB).
 */
export class LruMap<K, V> {
  readonly #map = new Map<K, V>();
  #evictions = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error("LruMap needs a capacity of at least 1");
  }

  /** The value, marked as used now. */
  get(key: K): V | undefined {
    const value = this.#map.get(key);
    if (value === undefined) return undefined;
    this.#map.delete(key);
    this.#map.set(key, value);
    return value;
  }

  /** The value without marking it used. */
  peek(key: K): V | undefined {
    return this.#map.get(key);
  }

  /** Stores a value as the most recently used; drops the least recently used entry past the cap. */
  set(key: K, value: V): this {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.capacity) {
      const oldest = this.#map.keys().next();
      if (oldest.done !== true) {
        this.#map.delete(oldest.value);
        this.#evictions++;
      }
    }
    return this;
  }

  delete(key: K): boolean {
    return this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
  }

  get size(): number {
    return this.#map.size;
  }

  /** Entries dropped to stay under the cap since this map was made. */
  get evictions(): number {
    return this.#evictions;
  }

  keys(): IterableIterator<K> {
    return this.#map.keys();
  }

  values(): IterableIterator<V> {
    return this.#map.values();
  }
}
