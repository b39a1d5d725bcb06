import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import crawlers from "crawler-user-agents";
import { describe, expect, it } from "vitest";
import { ipToBlock, rulesScore, verdictFor } from "../../core/escalation-verdict";
import {
  FEATURE_NAMES,
  extractFeatures,
  isAiCrawlerUserAgent,
  isBrowserUserAgent,
  isScriptedUserAgent,
  namedFeatures,
} from "../../core/features";
import type { HistoryEntry } from "../../core/client-history";
import { compilePathModel, trainPathModel } from "../../core/path-sequence";
import type { DecisionReport } from "../../core/report";

const CHROME_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36";
const GPTBOT_UA = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)";
const BROWSER_HEADERS = {
  accept: "text/html,application/xhtml+xml,*/*;q=0.8",
  "accept-language": "en-US,en;q=0.9",
  "sec-fetch-mode": "navigate",
};

function report(over: Partial<DecisionReport> = {}): DecisionReport {
  return {
    v: 1,
    id: "report-0001",
    at: 1_790_000_000_000,
    source: "edge",
    ip: "198.51.100.7",
    method: "GET",
    path: "/",
    userAgent: CHROME_UA,
    headers: BROWSER_HEADERS,
    cf: { asn: 7922 },
    action: "tarpit",
    score: 50,
    reasons: [{ code: "trap-path", weight: 50 }],
    counts: { hits1m: 3, hits10m: 12, tarpitHits: 1 },
    ...over,
  };
}
const features = (r: DecisionReport, history: readonly HistoryEntry[] = []) => namedFeatures(extractFeatures(r, history, null));
const row = (r: DecisionReport) => extractFeatures(r, [], null);

const require = createRequire(import.meta.url);
const BROWSER_UAS = (
  JSON.parse(readFileSync(join(dirname(require.resolve("user-agents")), "user-agents.json"), "utf8")) as { userAgent: string }[]
).map((b) => b.userAgent);
const CRAWLERS = crawlers as readonly { readonly instances: string[]; readonly tags?: string[] }[];
const instancesTagged = (tag: string) => CRAWLERS.filter((c) => c.tags?.includes(tag)).flatMap((c) => c.instances);

describe("extractFeatures", () => {
  it("returns one finite number per feature name, in order", () => {
    const values = row(report());
    expect(values).toHaveLength(FEATURE_NAMES.length);
    expect(values.every(Number.isFinite)).toBe(true);
  });

  it("describes a browser with a full header set as a browser and nothing else", () => {
    expect(features(report())).toMatchObject({
      ua_ai_crawler: 0,
      ua_scripted: 0,
      ua_browser: 1,
      no_accept_language: 0,
      browser_without_sec_fetch: 0,
      accept_wildcard_only: 0,
      datacenter_asn: 0,
    });
  });

  it("flags a declared AI crawler from a cloud network", () => {
    const f = features(
      report({ userAgent: GPTBOT_UA, headers: { accept: "*/*" }, cf: { asn: 16509, asOrganization: "Amazon.com, Inc." } }),
    );
    expect(f).toMatchObject({ ua_ai_crawler: 1, ua_browser: 0, no_accept_language: 1, accept_wildcard_only: 1, datacenter_asn: 1 });
  });

  it("flags a spoofed Chrome without Sec-Fetch headers, and reads header names case-insensitively", () => {
    expect(features(report({ headers: { Accept: "*/*" } }))).toMatchObject({
      ua_browser: 1,
      browser_without_sec_fetch: 1,
      accept_wildcard_only: 1,
    });
    expect(features(report({ headers: { "Accept-Language": "de" } })).no_accept_language).toBe(0);
  });

  it("treats an empty User-Agent as scripted", () => {
    expect(features(report({ userAgent: "" }))).toMatchObject({ ua_scripted: 1, ua_browser: 0 });
  });

  it("log-scales counts", () => {
    const f = features(report({ counts: { hits1m: 0, hits10m: Math.E - 1, tarpitHits: 99 } }));
    expect(f.log1p_hits_1m).toBe(0);
    expect(f.log1p_hits_10m).toBeCloseTo(1, 12);
    expect(f.log1p_tarpit_hits).toBeCloseTo(Math.log(100), 12);
  });

  it("scales the edge score to [0, 1] and leaves out the blocklist's own reason", () => {
    expect(features(report()).edge_score).toBe(0.5);
    const blocked = report({
      action: "block",
      score: 1050,
      reasons: [
        { code: "blocklist-ip", weight: 1000 },
        { code: "trap-path", weight: 50 },
      ],
    });
    expect(features(blocked).edge_score).toBe(0.5);
    expect(
      features(
        report({
          reasons: [
            { code: "a", weight: 90 },
            { code: "b", weight: 90 },
          ],
        }),
      ).edge_score,
    ).toBe(1);
  });

  it("keeps context signals out of the edge score: a browser on a hosting network carries context, not evidence", () => {
    const vpn = report({
      action: "challenge",
      score: 40,
      reasons: [
        { code: "asn-datacenter", weight: 15 },
        { code: "browser-from-datacenter", weight: 25 },
      ],
    });
    expect(features(vpn)).toMatchObject({ edge_score: 0, edge_context: 0.4 });
    // Evidence beside the context counts as evidence, and only it; a fleet's group signals are context too.
    const headless = report({ reasons: [...vpn.reasons, { code: "hdr-headless", weight: 50 }] });
    expect(features(headless)).toMatchObject({ edge_score: 0.5, edge_context: 0.4 });
    const fleet = report({
      reasons: [
        { code: "fleet", weight: 40 },
        { code: "group-no-subresources", weight: 10 },
        { code: "rate-ip", weight: 40 },
      ],
    });
    expect(features(fleet)).toMatchObject({ edge_score: 0.4, edge_context: 0.5 });
    expect(features(report()).edge_context).toBe(0);
  });

  it("reads the edge's signal codes: headless, header mismatches, rates and missing subresources", () => {
    const signals = ["hdr-headless", "hdr-ch-ua-mismatch", "hdr-browser-http1", "rate-ip", "no-subresources"];
    expect(features(report({ signals }))).toMatchObject({ hdr_headless: 1, hdr_inconsistent: 2 / 6, sig_rate: 1, sig_no_subresources: 1 });
    expect(features(report())).toMatchObject({ hdr_headless: 0, hdr_inconsistent: 0, sig_rate: 0, sig_no_subresources: 0 });
    // The first rule set's weighted `burst` reason counts as a rate signal too; a HeadlessChrome UA as headless.
    expect(features(report({ reasons: [{ code: "burst", weight: 50 }] })).sig_rate).toBe(1);
    expect(features(report({ userAgent: CHROME_UA.replace("Chrome/", "HeadlessChrome/") })).hdr_headless).toBe(1);
  });

  it("describes the client's recent paths: history length, asset and trap shares, surprise under the path model", () => {
    const history: HistoryEntry[] = [
      { id: "h1", at: 1, path: "/" },
      { id: "h2", at: 2, path: "/static/site.css" },
      { id: "h3", at: 3, path: "/articles/france" },
    ];
    const f = features(report({ path: "/archive/1/x" }), history);
    expect(f).toMatchObject({ asset_share: 1 / 4, trap_share: 1 / 4, path_surprise: 0 });
    expect(f.log1p_history).toBeCloseTo(Math.log1p(3), 12);
    const model = compilePathModel(trainPathModel(Array.from({ length: 20 }, () => ["/", "asset", "/:w/:slug", "/:w/:slug"])));
    const usual = namedFeatures(extractFeatures(report({ path: "/articles/spain" }), history, model)).path_surprise;
    const odd = namedFeatures(extractFeatures(report({ path: "/archive/1/x" }), [], model)).path_surprise;
    expect(usual).toBeGreaterThan(0);
    expect(odd).toBeGreaterThan(usual);
  });

  it("treats a missing ASN as not a datacenter, and recognises one by organisation name", () => {
    expect(features(report({ cf: {} })).datacenter_asn).toBe(0);
    expect(features(report({ cf: { asOrganization: "Some Hosting Ltd" } })).datacenter_asn).toBe(1);
  });
});

describe("User-Agent classes against real corpora", () => {
  it("calls every browser in npm user-agents a browser (at most 0.1% misses), and none of them AI or scripted", () => {
    const misses = BROWSER_UAS.filter((ua) => !isBrowserUserAgent(ua));
    expect(misses.length).toBeLessThanOrEqual(BROWSER_UAS.length / 1000);
    expect(BROWSER_UAS.filter((ua) => isAiCrawlerUserAgent(ua) || isScriptedUserAgent(ua))).toEqual([]);
  });

  it("recognises at least 95% of the ai-crawler instances in npm crawler-user-agents", () => {
    const ai = instancesTagged("ai-crawler");
    expect(ai.filter(isAiCrawlerUserAgent).length / ai.length).toBeGreaterThanOrEqual(0.95);
  });

  it("calls most HTTP-library instances scripted and none of them a browser", () => {
    const libs = instancesTagged("http-library");
    expect(libs.filter(isScriptedUserAgent).length / libs.length).toBeGreaterThanOrEqual(0.7);
    expect(libs.filter(isBrowserUserAgent)).toEqual([]);
  });
});

describe("escalation verdict", () => {
  it("maps scores to human, unsure and bot around the block score", () => {
    expect([0.05, 0.5, 0.9, 0.99].map((s) => verdictFor(s, 0.9))).toEqual(["human", "unsure", "bot", "bot"]);
  });

  it("lets rules alone call a declared AI crawler or a deep tarpit visitor a bot, but not a mere edge signal", () => {
    expect(verdictFor(rulesScore(row(report({ userAgent: GPTBOT_UA }))), 0.9)).toBe("bot");
    expect(verdictFor(rulesScore(row(report({ counts: { hits1m: 5, hits10m: 50, tarpitHits: 25 } }))), 0.9)).toBe("bot");
    const twoSignals = report({
      score: 100,
      reasons: [
        { code: "trap-path", weight: 50 },
        { code: "burst", weight: 50 },
      ],
    });
    expect(verdictFor(rulesScore(row(twoSignals)), 0.9)).toBe("unsure");
  });

  it("blocklists a bot's canonical address once, and never an already-blocked or unknown one", () => {
    expect(ipToBlock("bot", report({ ip: "2001:DB8::1" }))).toBe("2001:0db8:0000:0000:0000:0000:0000:0001");
    expect(ipToBlock("unsure", report())).toBeNull();
    expect(ipToBlock("bot", report({ reasons: [{ code: "blocklist-ip", weight: 1000 }] }))).toBeNull();
    expect(ipToBlock("bot", report({ ip: "0.0.0.0" }))).toBeNull();
  });
});
