import { describe, expect, it } from "vitest";
import { parseTarget, targetOfBlocklistKey, blocklistKeyOf } from "../../../core/admin/block-target";
import { formatExport, planImport, MAX_IMPORT_TARGETS } from "../../../core/admin/import-lines";
import { checkBlockTarget, indexCrawlerRanges, parseRanges, safetyContext } from "../../../core/admin/safety";
import crawlerRanges from "../../../core/data/crawler-ranges.json";
import { CrawlerRangesSchema } from "../../../core/verified-crawlers";

const crawlers = indexCrawlerRanges(CrawlerRangesSchema.parse(crawlerRanges));
const googlebot = CrawlerRangesSchema.parse(crawlerRanges)
  .crawlers.find((c) => c.id === "googlebot")
  ?.prefixes.find((p) => p.includes("."));
const ctx = safetyContext(parseRanges(["45.10.20.0/24", "2a01:4f8::/32"]), crawlers, false);

describe("blocklist targets", () => {
  it("canonicalises IPs, CIDRs and AS numbers into their KV keys", () => {
    const key = (text: string) => {
      const t = parseTarget(text);
      return t.ok ? blocklistKeyOf(t.value) : t.error;
    };
    expect(key(" 45.1.2.3 ")).toBe("ip:45.1.2.3");
    expect(key("45.1.2.3/32")).toBe("ip:45.1.2.3");
    expect(key("2A01:DB9::1")).toBe("ip:2a01:0db9:0000:0000:0000:0000:0000:0001");
    expect(key("45.1.2.0/24")).toBe("cidr:45.1.2.0/24");
    expect(key("AS13335")).toBe("asn:13335");
    expect(key("45.1.2.3/24")).toContain("host bits");
    expect(key("AS64512")).toContain("reserved");
    expect(key("not-an-ip")).toContain("not an IP");
    expect(targetOfBlocklistKey("cidr:45.1.2.0/24")).toMatchObject({ kind: "cidr" });
    expect(targetOfBlocklistKey("policy:active")).toBeNull();
  });
});

describe("block safety checks", () => {
  const check = (text: string, c = ctx) => {
    const t = parseTarget(text);
    if (!t.ok) return t.error;
    const r = checkBlockTarget(t.value, c);
    return r.ok ? "ok" : r.error;
  };

  it("refuses private, reserved and documentation ranges, and networks that contain them", () => {
    expect(check("10.1.2.3")).toContain("reserved range 10.0.0.0/8");
    expect(check("192.168.0.0/16")).toContain("reserved");
    expect(check("127.0.0.1")).toContain("reserved");
    expect(check("169.254.1.1")).toContain("reserved");
    expect(check("::1")).toContain("reserved");
    expect(check("fd00::1")).toMatch(/reserved range fc00:[0:]+\/7/);
    expect(check("10.0.0.0/7")).toContain("wider than /8");
    expect(check("8.0.0.0/7")).toContain("wider than /8");
    expect(check("203.0.113.9")).toContain("reserved range 203.0.113.0/24");
  });

  it("allows documentation ranges only in dev", () => {
    expect(check("203.0.113.9", safetyContext([], crawlers, true))).toBe("ok");
  });

  it("refuses allow-listed addresses and networks overlapping them, either way round", () => {
    expect(check("45.10.20.7")).toContain("allow-listed 45.10.20.0/24");
    expect(check("45.10.0.0/16")).toContain("allow-listed");
    expect(check("45.10.20.128/25")).toContain("allow-listed");
    expect(check("2a01:4f8:1::/48")).toContain("allow-listed");
  });

  it("refuses verified crawlers' addresses and networks overlapping their ranges", () => {
    expect(googlebot).toBeDefined();
    const network = googlebot ?? "";
    const ip = network.split("/")[0] ?? "";
    expect(check(ip)).toContain("verified crawler googlebot");
    const wider = `${ip.split(".").slice(0, 2).join(".")}.0.0/16`;
    expect(check(wider)).toContain("googlebot");
  });

  it("passes an ordinary public address, network and ASN", () => {
    expect(check("45.33.1.2")).toBe("ok");
    expect(check("45.33.0.0/16")).toBe("ok");
    expect(check("AS14061")).toBe("ok");
  });
});

describe("planImport", () => {
  it("skips comments and blanks, deduplicates, and reports each refused line with its number", () => {
    const text = [
      "# scrapers seen in May",
      "45.33.1.2",
      "",
      "45.33.1.2/32  # same host",
      "45.34.0.0/16",
      "10.0.0.1",
      "garbage",
      "AS14061",
      "45.10.20.7",
    ].join("\n");
    const plan = planImport(text, ctx);
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    expect(formatExport(plan.value.targets)).toBe("45.33.1.2\n45.34.0.0/16\nAS14061\n");
    expect(plan.value.refused).toEqual([
      { line: 6, text: "10.0.0.1", error: expect.stringContaining("reserved") },
      { line: 7, text: "garbage", error: expect.stringContaining("not an IP") },
      { line: 9, text: "45.10.20.7", error: expect.stringContaining("allow-listed") },
    ]);
  });

  it("reads back its own export", () => {
    const plan = planImport("45.33.1.2\n45.34.0.0/16\n", ctx);
    if (!plan.ok) throw new Error(plan.error);
    const again = planImport(formatExport(plan.value.targets), ctx);
    expect(again.ok && again.value.targets).toEqual(plan.value.targets);
  });

  it("refuses an import with more entries than one request may write", () => {
    const lines = Array.from({ length: MAX_IMPORT_TARGETS + 1 }, (_, i) => `45.${40 + Math.floor(i / 256)}.${i % 256}.1`);
    const plan = planImport(lines.join("\n"), ctx);
    expect(plan).toEqual({ ok: false, error: expect.stringContaining("too many entries") });
  });
});
