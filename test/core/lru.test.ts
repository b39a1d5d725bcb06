import { describe, expect, it } from "vitest";
import { LruMap } from "../../core/lru";

describe("LruMap", () => {
  it("drops the least recently used entry past its cap, and counts it", () => {
    const m = new LruMap<string, number>(3);
    m.set("a", 1).set("b", 2).set("c", 3);
    expect(m.get("a")).toBe(1); // a is now the most recently used
    m.set("d", 4);
    expect([...m.keys()]).toEqual(["c", "a", "d"]);
    expect(m.peek("b")).toBeUndefined();
    expect(m.evictions).toBe(1);
  });

  it("stays at its cap under a million distinct keys", () => {
    const m = new LruMap<number, number>(1_000);
    for (let i = 0; i < 1_000_000; i++) m.set(i, i);
    expect(m.size).toBe(1_000);
    expect(m.evictions).toBe(999_000);
    expect(m.peek(999_999)).toBe(999_999);
  });

  it("refuses a capacity below one", () => {
    expect(() => new LruMap(0)).toThrow(/capacity/);
  });
});
