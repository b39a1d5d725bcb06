import { describe, expect, it } from "vitest";
import { parseBlocklistEntry } from "../../core/blocklist-entry";
import { DecisionReportSchema } from "../../core/report";
import { parseTarpitConfig, type HopPolicy } from "../../core/tarpit-config";
import { HOP_OUT_REASON, hopCounterName, hopOutBlocks, hopOutReport, isHopOut } from "../../core/tarpit-hops";

const policy: HopPolicy = { limit: 5, windowMs: 600_000, blockTtlSeconds: 3600, blockPrefix: "none" };

describe("isHopOut", () => {
  it("blocks the hop after the limit, once per block", () => {
    expect(isHopOut(5, 0, 1000, policy)).toBe(false);
    expect(isHopOut(6, 0, 1000, policy)).toBe(true);
    expect(isHopOut(7, 5000, 1000, policy)).toBe(false); // our block is still running
    expect(isHopOut(7, 5000, 5000, policy)).toBe(true);
  });
});

describe("hopOutBlocks", () => {
  it("blocks the IP with a reason and a TTL, as a valid blocklist entry", () => {
    const writes = hopOutBlocks("81.2.69.160", 6, policy, 72, 1234);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ key: "ip:81.2.69.160", ttlSeconds: 3600 });
    const entry = parseBlocklistEntry(JSON.stringify(writes[0]?.entry));
    expect(entry).toEqual({
      action: "block",
      source: "tarpit",
      score: 72,
      at: 1234,
      reason: `${HOP_OUT_REASON}: 6 tarpit hops in 600 s (limit 5)`,
    });
  });

  it("blocks the /24 or /64 too when the policy says prefix, but never special-purpose space", () => {
    const prefix = { ...policy, blockPrefix: "prefix" } as const;
    expect(hopOutBlocks("81.2.69.160", 6, prefix, null, 1).map((w) => w.key)).toEqual(["ip:81.2.69.160", "cidr:81.2.69.0/24"]);
    const v6 = "2a01:04f8:0001:0002:0003:0004:0005:0006"; // canonical, as edge-guard forwards it
    expect(hopOutBlocks(v6, 6, prefix, null, 1).map((w) => w.key)).toEqual([`ip:${v6}`, "cidr:2a01:04f8:0001:0002:0000:0000:0000:0000/64"]);
    expect(hopOutBlocks("10.1.2.3", 6, prefix, null, 1).map((w) => w.key)).toEqual(["ip:10.1.2.3"]);
    expect(hopOutBlocks("198.51.100.7", 6, prefix, null, 1).map((w) => w.key)).toEqual(["ip:198.51.100.7"]);
  });

  it("writes a site's keys and names a site's hop counter apart; the default site's stay as they were", () => {
    const prefix = { ...policy, blockPrefix: "prefix" } as const;
    expect(hopOutBlocks("81.2.69.160", 6, prefix, null, 1, "blog").map((w) => w.key)).toEqual([
      "site:blog:ip:81.2.69.160",
      "site:blog:cidr:81.2.69.0/24",
    ]);
    expect(hopCounterName("81.2.69.160")).toBe("81.2.69.160");
    expect(hopCounterName("81.2.69.160", "default")).toBe("81.2.69.160");
    expect(hopCounterName("81.2.69.160", "blog")).toBe("site:blog:81.2.69.160");
  });
});

describe("hopOutReport", () => {
  it("is a valid tarpit report, labelled tarpit-hop-out, with the fact headers only", () => {
    const report = hopOutReport(
      {
        id: "0b5e7c1e-1111-2222-3333-444455556666",
        at: 1_700_000_000_000,
        ip: "81.2.69.160",
        method: "GET",
        path: "/archive/0badf00d/harbour",
        headers: { "user-agent": "GPTBot/1.2", accept: "text/html", cookie: "secret", "x-edge-guard-score": "70" },
        edgeScore: 70,
      },
      { inWindow: 6, m1: 6, m10: 6, block: true },
      policy,
    );
    expect(DecisionReportSchema.parse(report)).toEqual(report);
    expect(report).toMatchObject({
      source: "tarpit",
      action: "block",
      score: 70,
      userAgent: "GPTBot/1.2",
      label: { kind: "tarpit-hop-out", value: "bot" },
    });
    expect(report.headers).toEqual({ accept: "text/html" });
    expect(report.reasons[0]?.code).toBe(HOP_OUT_REASON);
  });
});

describe("parseTarpitConfig", () => {
  it("fills in production defaults for unset and empty vars", () => {
    const config = parseTarpitConfig({ HOP_LIMIT: "", MARKOV_CORPUS: "default" });
    expect(config.ok && config.value).toMatchObject({
      stream: { chunkBytes: 512, delayMs: 2000, maxMs: 30_000 },
      maxStreamsPerClient: 2,
      hops: { limit: 25, windowMs: 600_000, blockTtlSeconds: 3600, blockPrefix: "none" },
      fakeAssets: true,
    });
  });

  it("names every bad var", () => {
    const config = parseTarpitConfig({ HOP_LIMIT: "0", BLOCK_PREFIX: "/16", STREAM_DELAY_MS: "soon", BLOCK_TTL_SECONDS: "30" });
    expect(config.ok).toBe(false);
    if (!config.ok)
      for (const name of ["HOP_LIMIT", "BLOCK_PREFIX", "STREAM_DELAY_MS", "BLOCK_TTL_SECONDS"]) expect(config.error).toContain(name);
  });
});
