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

  it("keeps a key read at least once per half its cap of insertions, however many distinct keys pass", () => {
    const m = new LruMap<string, number>(1_000);
    m.set("hot", 0);
    for (let i = 0; i < 100_000; i++) {
      m.set(`k${i}`, i);
      if (i % 400 === 0) expect(m.get("hot")).toBe(0);
    }
    expect(m.peek("hot")).toBe(0);
    expect(m.size).toBe(1_000);
  });

  it("does not move an entry it reordered recently (a hot key costs no Map delete and insert per read)", () => {
    const m = new LruMap<string, number>(100);
    for (let i = 0; i < 100; i++) m.set(`k${i}`, i);
    m.get("k99");
    m.get("k60"); // in the newer half: stays where it is
    expect([...m.keys()].slice(-2)).toEqual(["k98", "k99"]);
    m.get("k10"); // in the older half: moved to the newest end
    expect([...m.keys()].at(-1)).toBe("k10");
    m.set("k70", -1); // updating a recent entry keeps its place too
    expect(m.peek("k70")).toBe(-1);
    expect([...m.values()].at(-1)).toBe(10);
  });

  it("refuses a capacity below one", () => {
    expect(() => new LruMap(0)).toThrow(/capacity/);
  });
});
