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
});
