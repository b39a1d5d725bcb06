import { describe, expect, it } from "vitest";
import crawlerRanges from "../../../core/data/crawler-ranges.json";
import { indexCrawlerRanges, parseRanges, safetyContext } from "../../../core/admin/safety";
import type { FeedEntry } from "../../../core/peers/feed";
import { TRUST_LIMITS, type TrustLimits } from "../../../core/peers/trust";
import { countRejections, vetEntries, type VetOptions } from "../../../core/peers/vet";
import { CrawlerRangesSchema } from "../../../core/verified-crawlers";

const NOW = Date.UTC(2026, 5, 1);
const HOUR = 3_600_000;
const crawlers = indexCrawlerRanges(CrawlerRangesSchema.parse(crawlerRanges));

function entry(value: string, overrides: Partial<FeedEntry> = {}): FeedEntry {
  const scope = value.includes("/") ? "cidr" : /^as/i.test(value) ? "asn" : "ip";
  return {
    scope,
    value,
    reason: "bot",
    confidence: 0.99,
    firstSeen: NOW - 2 * HOUR,
    lastSeen: NOW - HOUR,
    expiresAt: NOW + 12 * HOUR,
    ...overrides,
  };
}

function options(overrides: Partial<VetOptions> & { limits?: TrustLimits; allowed?: string[]; documentation?: boolean } = {}): VetOptions {
  const { allowed = [], documentation = false, ...rest } = overrides;
  return {
    limits: TRUST_LIMITS.medium,
    safety: safetyContext(parseRanges(allowed), crawlers, documentation),
    now: NOW,
    maxAccepted: 1000,
    maxNew: 1000,
    held: () => false,
    ...rest,
  };
}

const reasonsOf = (entries: unknown[], o = options()) => vetEntries(entries, o).rejected.map((r) => r.reason);

describe("vetEntries", () => {
  it("accepts a confident public IP, canonicalised, with the peer's expiry", () => {
    const { accepted, rejected } = vetEntries([entry("2A01:4F8::1")], options());
    expect(rejected).toEqual([]);
    expect(accepted).toHaveLength(1);
    expect(accepted[0]?.key).toBe("ip:2a01:04f8:0000:0000:0000:0000:0000:0001");
    expect(accepted[0]?.ttlSeconds).toBe(12 * 3600);
  });

  it.each([
    ["10.1.2.3"],
    ["192.168.0.0/24"],
    ["172.16.5.5"],
    ["127.0.0.1"],
    ["169.254.1.1"],
    ["100.64.0.1"],
    ["224.0.0.1"],
    ["0.0.0.0"],
    ["::1"],
    ["fe80::1"],
    ["fd00::1"],
    ["fc00::/64"],
    ["::ffff:8.8.8.8"],
    ["198.18.0.1"],
    ["AS64512"],
  ])("never takes a private or reserved range: %s", (value) => {
    expect(reasonsOf([entry(value)])).toEqual(["private_range"]);
  });

  it("treats documentation ranges (TEST-NET) as reserved, except in dev mode where they stand in for public addresses", () => {
    expect(reasonsOf([entry("203.0.113.7")])).toEqual(["private_range"]);
    expect(reasonsOf([entry("198.51.100.7"), entry("192.0.2.7"), entry("203.0.113.0/24")], options({ documentation: true }))).toEqual([]);
  });

  it("refuses networks wider than the trust level allows, and every AS number", () => {
    expect(reasonsOf([entry("8.8.0.0/24")], options({ limits: TRUST_LIMITS.low }))).toEqual(["too_broad"]);
    expect(reasonsOf([entry("8.8.0.0/24")], options({ limits: TRUST_LIMITS.medium }))).toEqual([]);
    expect(reasonsOf([entry("8.8.0.0/15")], options({ limits: TRUST_LIMITS.high }))).toEqual(["too_broad"]);
    expect(reasonsOf([entry("2a01:4f8::/48")], options({ limits: TRUST_LIMITS.medium }))).toEqual([]);
    expect(reasonsOf([entry("2a01:4f8::/31")], options({ limits: TRUST_LIMITS.high }))).toEqual(["too_broad"]);
    expect(reasonsOf([entry("AS16509")], options({ limits: TRUST_LIMITS.high }))).toEqual(["too_broad"]);
  });

  it("never covers an allow-listed address, in either direction", () => {
    const o = options({ allowed: ["8.8.8.8/32", "9.9.9.0/24"] });
    expect(reasonsOf([entry("8.8.8.0/24"), entry("9.9.9.9"), entry("8.8.4.4")], o)).toEqual(["covers_allowlisted", "covers_allowlisted"]);
  });

  it("never covers a verified crawler's range", () => {
    expect(reasonsOf([entry("13.66.139.7"), entry("13.66.139.0/24"), entry("2001:4860:4801:10::/64")])).toEqual([
      "covers_verified_crawler",
      "covers_verified_crawler",
      "covers_verified_crawler",
    ]);
  });

  it("refuses low confidence, expiry in the past or under a minute away, and caps the TTL by trust", () => {
    const o = options({ limits: TRUST_LIMITS.low });
    const { accepted, rejected } = vetEntries(
      [
        entry("8.8.4.4", { confidence: 0.9 }),
        entry("8.8.4.5", { expiresAt: NOW - 1, lastSeen: NOW - 2, firstSeen: NOW - 3 }),
        entry("8.8.4.6", { expiresAt: NOW + 59_000 }),
        entry("8.8.4.7", { expiresAt: NOW + 30 * 24 * HOUR }),
      ],
      o,
    );
    expect(rejected.map((r) => r.reason)).toEqual(["low_confidence", "expired", "expired"]);
    expect(accepted.map((a) => a.ttlSeconds)).toEqual([TRUST_LIMITS.low.maxTtlSeconds]);
  });

  it("counts malformed entries one by one without voiding the batch", () => {
    const { accepted, rejected } = vetEntries(
      [
        { scope: "ip", value: "8.8.4.4" },
        entry("not-an-ip"),
        entry("8.8.4.0/24", { scope: "ip" }),
        entry("8.8.4.1/24"),
        entry("8.8.4.4", { firstSeen: NOW, lastSeen: NOW - 1 }),
        "junk",
        entry("8.8.4.9"),
      ],
      options(),
    );
    expect(rejected.map((r) => r.reason)).toEqual(Array(6).fill("malformed"));
    expect(accepted.map((a) => a.key)).toEqual(["ip:8.8.4.9"]);
  });

  it("keeps the most confident of duplicates", () => {
    const { accepted, rejected } = vetEntries([entry("8.8.4.4", { confidence: 0.95 }), entry("8.8.4.4", { confidence: 0.99 })], options());
    expect(accepted.map((a) => [a.index, a.entry.confidence])).toEqual([[1, 0.99]]);
    expect(rejected.map((r) => [r.index, r.reason])).toEqual([[0, "duplicate"]]);
  });

  it("applies the per-sync cap and the per-peer cap, the most confident first; held keys do not count as new", () => {
    const batch = [entry("8.8.4.1", { confidence: 0.91 }), entry("8.8.4.2", { confidence: 0.99 }), entry("8.8.4.3", { confidence: 0.95 })];
    const perSync = vetEntries(batch, options({ maxAccepted: 2 }));
    expect(perSync.accepted.map((a) => a.key)).toEqual(["ip:8.8.4.2", "ip:8.8.4.3"]);
    expect(perSync.rejected.map((r) => [r.value, r.reason])).toEqual([["8.8.4.1", "over_cap"]]);
    const perPeer = vetEntries(batch, options({ maxNew: 1, held: (key) => key === "ip:8.8.4.1" }));
    expect(perPeer.accepted.map((a) => a.key)).toEqual(["ip:8.8.4.1", "ip:8.8.4.2"]);
    expect(countRejections(perPeer.rejected)).toEqual({ over_cap: 1 });
  });
});
