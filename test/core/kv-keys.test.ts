import { describe, expect, it } from "vitest";
import { isRangeKey, kvKeys, parseKvKey } from "../../core/kv-keys";
import { compileRangeEntries, rangeEntryOf } from "../../core/range-entries";

const block = (reason: string, action = "block") => JSON.stringify({ action, reason, source: "operator", at: 5 });

describe("kv keys", () => {
  it("builds and parses every entry key the same way", () => {
    expect(kvKeys.ip("192.0.2.1")).toBe("ip:192.0.2.1");
    expect(kvKeys.cidr("203.0.113.0/24")).toBe("cidr:203.0.113.0/24");
    expect(kvKeys.asn(64500)).toBe("asn:64500");
    expect(kvKeys.allow("2001:db8::/32")).toBe("allow:2001:db8::/32");
    expect(parseKvKey(kvKeys.allow("2001:db8::/32"))).toEqual({ kind: "allow", rest: "2001:db8::/32" });
    expect(parseKvKey(kvKeys.faultStats("iso-1"))).toEqual({ kind: "faultStats", rest: "iso-1" });
    expect(parseKvKey(kvKeys.policy)).toBeNull();
    expect([kvKeys.cidr("10.0.0.0/8"), kvKeys.asn(1), kvKeys.allow("10.0.0.1"), kvKeys.ip("10.0.0.1")].map(isRangeKey)).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
});

describe("range entries", () => {
  it("turns range keys into snapshot entries, canonical, and refuses anything else", () => {
    expect(rangeEntryOf("cidr:198.51.100.7/24", block("x"), null)).toMatchObject({
      scope: "cidr",
      value: "198.51.100.0/24",
      action: "block",
      at: 5,
    });
    expect(rangeEntryOf("asn:AS64500", block("x", "tarpit"), 9)).toMatchObject({
      scope: "asn",
      value: "64500",
      action: "tarpit",
      expiresAt: 9,
    });
    expect(rangeEntryOf("allow:192.0.2.44", "anything", null)).toMatchObject({ scope: "cidr", value: "192.0.2.44/32", action: "allow" });
    expect(rangeEntryOf("cidr:not-a-network", block("x"), null)).toBeNull();
    expect(rangeEntryOf("ip:192.0.2.1", block("x"), null)).toBeNull();
  });

  it("compiles live entries only, one per network, an allow winning whichever comes first", () => {
    const items = [
      { key: "allow:198.51.100.0/24", raw: "{}", expiresAt: null },
      { key: "cidr:198.51.100.0/24", raw: block("later block"), expiresAt: null },
      { key: "cidr:203.0.113.0/24", raw: block("lapsed"), expiresAt: 999 },
      { key: "asn:64501", raw: block("asn"), expiresAt: 2_000 },
    ];
    const entries = compileRangeEntries(items, 1_000);
    expect(entries.map((e) => [e.scope, e.value, e.action])).toEqual([
      ["asn", "64501", "block"],
      ["cidr", "198.51.100.0/24", "allow"],
    ]);
  });
});
