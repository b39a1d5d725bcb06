/** Width of one counting bucket. */
export const BUCKET_MS = 10_000;
/** Buckets kept: ten minutes of history. */
export const BUCKETS = 60;

/** Counts per window, the same shape everywhere a rate is read. */
export interface WindowCounts {
  /** Events in the last minute. */
  readonly m1: number;
  /** Events in the last ten minutes. */
  readonly m10: number;
}

/**
 * A sliding-window counter in ten-second buckets over ten minutes. Cheap enough to keep one per key in
 * isolate memory: a fixed Float64Array, no allocation per event.
 */
export class SlidingWindow {
  readonly #counts = new Float64Array(BUCKETS);
  readonly #stamps = new Float64Array(BUCKETS);

  /** Adds `n` events at `at` (epoch ms). */
  add(at: number, n = 1): void {
    const bucket = Math.floor(at / BUCKET_MS);
    const slot = bucket % BUCKETS;
    if (this.#stamps[slot] !== bucket) {
      this.#stamps[slot] = bucket;
      this.#counts[slot] = 0;
    }
    this.#counts[slot] = (this.#counts[slot] ?? 0) + n;
  }

  /** Events within the last minute and ten minutes before `at`. */
  counts(at: number): WindowCounts {
    const now = Math.floor(at / BUCKET_MS);
    let m1 = 0;
    let m10 = 0;
    for (let slot = 0; slot < BUCKETS; slot++) {
      const age = now - (this.#stamps[slot] ?? -Infinity);
      if (age < 0 || age >= BUCKETS) continue;
      const n = this.#counts[slot] ?? 0;
      m10 += n;
      if (age < 6) m1 += n;
    }
    return { m1, m10 };
  }

  /** True when nothing was counted in the last ten minutes (the key can be dropped). */
  idle(at: number): boolean {
    return this.counts(at).m10 === 0;
  }
}
