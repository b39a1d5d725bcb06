/**
 * A Map with a size cap that drops the least recently used entry when full, and counts what it dropped: every
 * per-isolate structure keyed by something a client chooses (address, header set, token) is one of these, so an
 * isolate's memory stays bounded whatever the traffic (a production isolate has 128 MB).
 *
 * Recency is kept by Map insertion order, refreshed only for an entry in the older half: a Map delete and insert on
 * every read leaves a deleted slot in the key's hash chain each time, and a hot key read thousands of times between
 * the Map's rehashes then costs a walk over thousands of slots per lookup (measured: ~400 µs per request at a full
 * 20,000-key cap, bench/isolate-memory.ts). An entry read at least once per half the cap's insertions is never dropped.
 */
export class LruMap<K, V> {
  readonly #map = new Map<K, Slot<V>>();
  /** Insertions so far: an entry's `stamp` says where it sits in the Map's order. */
  #clock = 0;
  #evictions = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error("LruMap needs a capacity of at least 1");
  }

  /** The value, marked as used now. */
  get(key: K): V | undefined {
    const slot = this.#map.get(key);
    if (slot === undefined) return undefined;
    if (this.#old(slot)) {
      this.#map.delete(key);
      slot.stamp = ++this.#clock;
      this.#map.set(key, slot);
    }
    return slot.value;
  }

  /** The value without marking it used. */
  peek(key: K): V | undefined {
    return this.#map.get(key)?.value;
  }

  /** Stores a value as the most recently used; drops the least recently used entry past the cap. */
  set(key: K, value: V): this {
    const slot = this.#map.get(key);
    if (slot !== undefined && !this.#old(slot)) {
      slot.value = value;
      return this;
    }
    this.#map.delete(key);
    this.#map.set(key, { value, stamp: ++this.#clock });
    if (this.#map.size > this.capacity) {
      const oldest = this.#map.keys().next();
      if (oldest.done !== true) {
        this.#map.delete(oldest.value);
        this.#evictions++;
      }
    }
    return this;
  }

  /** In the older half of the order: due to be moved to the newest end when used. */
  #old(slot: Slot<V>): boolean {
    return slot.stamp <= this.#clock - (this.capacity >> 1);
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

  *values(): IterableIterator<V> {
    for (const slot of this.#map.values()) yield slot.value;
  }
}

interface Slot<V> {
  value: V;
  stamp: number;
}
