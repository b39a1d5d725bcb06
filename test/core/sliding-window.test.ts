import { describe, expect, it } from "vitest";
import { BUCKET_MS, SlidingWindow } from "../../core/sliding-window";

describe("SlidingWindow", () => {
  const t0 = 1_700_000_000_000;

  it("counts events in the last minute and the last ten minutes", () => {
    const w = new SlidingWindow();
    w.add(t0 - 9 * 60_000);
    w.add(t0 - 2 * 60_000, 3);
    w.add(t0 - 30_000);
    w.add(t0);
    expect(w.counts(t0)).toEqual({ m1: 2, m10: 6 });
  });

  it("forgets events older than ten minutes, also when a slot is reused", () => {
    const w = new SlidingWindow();
    w.add(t0, 5);
    expect(w.counts(t0 + 10 * 60_000 + BUCKET_MS).m10).toBe(0);
    w.add(t0 + 10 * 60_000, 1); // same slot as t0, a new bucket
    expect(w.counts(t0 + 10 * 60_000)).toEqual({ m1: 1, m10: 1 });
    expect(w.idle(t0 + 25 * 60_000)).toBe(true);
  });

  it("ignores events stamped in the future of the reading", () => {
    const w = new SlidingWindow();
    w.add(t0 + 60_000);
    expect(w.counts(t0)).toEqual({ m1: 0, m10: 0 });
  });

  it("counts events that arrive out of time order in their own buckets", () => {
    const w = new SlidingWindow();
    w.add(t0);
    w.add(t0 - 3 * 60_000, 2); // late, ten minutes' window
    w.add(t0 - 20_000); // late, last minute
    w.add(t0 - 3 * 60_000); // same bucket as the late pair
    expect(w.counts(t0)).toEqual({ m1: 2, m10: 5 });
    expect(w.counts(t0 + 8 * 60_000)).toEqual({ m1: 0, m10: 2 });
  });

  it("keeps only ten minutes of buckets behind the newest, whatever the history", () => {
    const w = new SlidingWindow();
    for (let i = 0; i < 500; i++) w.add(t0 + i * BUCKET_MS);
    const end = t0 + 499 * BUCKET_MS;
    expect(w.counts(end)).toEqual({ m1: 6, m10: 60 });
  });
});
