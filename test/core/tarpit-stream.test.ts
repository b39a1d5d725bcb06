import { describe, expect, it } from "vitest";
import { assetPace, pagePace, plannedChunks, rechunk } from "../../core/tarpit-stream";

const config = { chunkBytes: 512, delayMs: 1000, maxMs: 30_000 };

describe("pagePace", () => {
  it("keeps the configured chunks when the page fits in the cap", () => {
    const pace = pagePace(10_000, config);
    expect(pace).toMatchObject({ chunkBytes: 512, delayMs: 1000, atCap: "finish" });
    expect(plannedChunks(10_000, pace)).toEqual({ chunks: 20, ms: 19_000 });
  });

  it("grows the chunks of a big page so it still ends within the cap", () => {
    const pace = pagePace(100_000, config);
    const plan = plannedChunks(100_000, pace);
    expect(plan.chunks).toBe(31);
    expect(plan.ms).toBeLessThanOrEqual(30_000);
    expect(pace.chunkBytes * plan.chunks).toBeGreaterThanOrEqual(100_000);
  });

  it("sends the page at once when the delay is 0", () => {
    expect(plannedChunks(10_000, pagePace(10_000, { ...config, delayMs: 0 }))).toEqual({ chunks: 1, ms: 0 });
  });
});

describe("assetPace", () => {
  it("truncates a big asset at the cap", () => {
    expect(plannedChunks(8 << 20, assetPace(config))).toEqual({ chunks: 31, ms: 30_000 });
    expect(plannedChunks(1000, assetPace(config))).toEqual({ chunks: 2, ms: 1000 });
  });
});

describe("rechunk", () => {
  it("cuts pieces of any size into chunks of exactly chunkBytes, the last shorter", () => {
    const pieces = [new Uint8Array(3).fill(1), new Uint8Array(0), new Uint8Array(10).fill(2), new Uint8Array(1).fill(3)];
    const chunks = [...rechunk(pieces, 4)];
    expect(chunks.map((c) => c.length)).toEqual([4, 4, 4, 2]);
    expect(chunks.flatMap((c) => [...c])).toEqual([1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3]);
  });

  it("does not reuse a chunk it has handed out", () => {
    const [first, second] = [...rechunk([new Uint8Array([1, 2, 3, 4])], 2)];
    expect([...(first ?? [])]).toEqual([1, 2]);
    expect([...(second ?? [])]).toEqual([3, 4]);
  });

  it("rejects a nonsense chunk size", () => {
    expect(() => [...rechunk([], 0)]).toThrow(RangeError);
  });
});
