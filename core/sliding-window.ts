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
 * A sliding-window counter in ten-second buckets over ten minutes. Cheap enough to keep one per key in isolate
 * memory: it holds only the buckets that saw events (a flat array of bucket, count pairs, oldest first), so a quiet
 * client's window is one or two pairs, not sixty slots, and reading it walks only those pairs.
 */
export class SlidingWindow {
  /** `[bucket, count, bucket, count, …]`, buckets ascending, none older than BUCKETS behind the newest. */
  #pairs: number[] = [];

  /** Adds `n` events at `at` (epoch ms). */
  add(at: number, n = 1): void {
    const bucket = Math.floor(at / BUCKET_MS);
    const pairs = this.#pairs;
    let i = pairs.length - 2;
    // Events arrive in time order nearly always: the newest bucket is the one to find, or to follow.
    while (i >= 0 && (pairs[i] ?? 0) > bucket) i -= 2;
    if (i >= 0 && pairs[i] === bucket) {
      pairs[i + 1] = (pairs[i + 1] ?? 0) + n;
      return;
    }
    pairs.splice(i + 2, 0, bucket, n);
    // Drop buckets that fell out of the window behind the newest one.
    const newest = pairs[pairs.length - 2] ?? bucket;
    let drop = 0;
    while (drop < pairs.length && newest - (pairs[drop] ?? 0) >= BUCKETS) drop += 2;
    if (drop > 0) pairs.splice(0, drop);
  }

  /** Events within the last minute and ten minutes before `at`. */
  counts(at: number): WindowCounts {
    const now = Math.floor(at / BUCKET_MS);
    const pairs = this.#pairs;
    let m1 = 0;
    let m10 = 0;
    for (let i = pairs.length - 2; i >= 0; i -= 2) {
      const age = now - (pairs[i] ?? 0);
      if (age < 0) continue;
      if (age >= BUCKETS) break;
      const n = pairs[i + 1] ?? 0;
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
