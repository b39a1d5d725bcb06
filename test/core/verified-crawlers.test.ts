import { describe, expect, it } from "vitest";
import ranges from "../../core/data/crawler-ranges.json";
import {
  CrawlerRangesSchema,
  PublishedRangesSchema,
  buildCrawlerIndex,
  publishedPrefixes,
  verifyCrawler,
  type CrawlerIndex,
} from "../../core/verified-crawlers";

function index(input: unknown): CrawlerIndex {
  const built = buildCrawlerIndex(input);
  if (!built.ok) throw new Error(built.error);
  return built.value;
}

const bundled = index(ranges);
const UA = {
  googlebot: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
  googleImage: "Googlebot-Image/1.0",
  bingbot:
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36",
  applebot:
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)",
  duckduckbot: "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)",
  gptbot: "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
  searchbot: "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; OAI-SearchBot/1.0; +https://openai.com/searchbot",
  chatgptUser: "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; ChatGPT-User/1.0; +https://openai.com/bot",
  ccbot: "CCBot/2.0 (https://commoncrawl.org/faq/)",
  archive: "Mozilla/5.0 (compatible; archive.org_bot +http://archive.org/details/archive.org_bot)",
  archiveLive: "Mozilla/5.0 (compatible; archive.org_bot; Wayback Machine Live Record; +http://archive.org/details/archive.org_bot)",
  firefox: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
} as const;

describe("the bundled crawler ranges", () => {
  it("validate against the schema and cover the crawlers edge-guard verifies", () => {
    expect(CrawlerRangesSchema.safeParse(ranges).success).toBe(true);
    expect(bundled.crawlers.map((c) => c.id)).toEqual([
      "googlebot",
      "bingbot",
      "applebot",
      "duckduckbot",
      "internet-archive",
      "gptbot",
      "oai-searchbot",
      "chatgpt-user",
      "ccbot",
    ]);
    for (const crawler of bundled.crawlers) expect(crawler.snapshot.date, crawler.id).toMatch(/^2026-/);
  });
});

describe("verifyCrawler", () => {
  it.each([
    ["googlebot", UA.googlebot, "66.249.66.1"], // 66.249.66.0/27
    ["googlebot", UA.googlebot, "2001:4860:4801:10::1"], // 2001:4860:4801:10::/64
    ["googlebot", UA.googleImage, "192.178.5.7"], // 192.178.5.0/27
    ["bingbot", UA.bingbot, "157.55.39.1"], // 157.55.39.0/24
    ["applebot", UA.applebot, "17.241.208.161"], // 17.241.208.160/27
    ["duckduckbot", UA.duckduckbot, "4.144.182.50"], // 4.144.182.50/32
    ["gptbot", UA.gptbot, "20.171.206.10"], // 20.171.206.0/24
    ["oai-searchbot", UA.searchbot, "20.42.10.180"], // 20.42.10.176/28
    ["chatgpt-user", UA.chatgptUser, "4.151.71.180"], // 4.151.71.176/28
    ["ccbot", UA.ccbot, "18.97.14.81"], // 18.97.14.80/29
    ["ccbot", UA.ccbot, "2600:1f28:365:80ab::1"], // 2600:1f28:365:8000::/56
    ["internet-archive", UA.archive, "207.241.229.40"], // 207.241.224.0/20 (AS7941)
    ["internet-archive", UA.archiveLive, "208.70.27.5"], // 208.70.24.0/21 (AS7941)
    ["internet-archive", UA.archive, "2620:0:9c0:1::7"], // 2620:0:9c0::/48 (AS7941)
  ])("verifies %s from its published ranges (%s from %s)", (crawler, ua, ip) => {
    expect(verifyCrawler(ip, ua, bundled)).toEqual({ crawler, verified: true });
  });

  it("flags the same User-Agent from elsewhere as a spoof", () => {
    expect(verifyCrawler("203.0.113.5", UA.googlebot, bundled)).toEqual({ crawler: "googlebot", verified: false });
    expect(verifyCrawler("66.249.66.1", UA.gptbot, bundled)).toEqual({ crawler: "gptbot", verified: false }); // a Google address
    expect(verifyCrawler("4.144.182.51", UA.duckduckbot, bundled)).toEqual({ crawler: "duckduckbot", verified: false }); // next to a /32
    expect(verifyCrawler("2001:4860:4802::1", UA.googlebot, bundled)).toEqual({ crawler: "googlebot", verified: false });
    expect(verifyCrawler("not an ip", UA.googlebot, bundled)).toEqual({ crawler: "googlebot", verified: false });
    expect(verifyCrawler("203.0.113.5", UA.archive, bundled)).toEqual({ crawler: "internet-archive", verified: false });
  });

  it("is null for User-Agents that claim no known crawler", () => {
    expect(verifyCrawler("66.249.66.1", UA.firefox, bundled)).toBeNull();
    expect(verifyCrawler("66.249.66.1", "curl/8.5.0", bundled)).toBeNull();
    expect(verifyCrawler("66.249.66.1", "", bundled)).toBeNull();
    // Mentions in a contact URL are not a claim.
    expect(verifyCrawler("203.0.113.5", "ExampleBot/1.0 (+https://example.com/why-we-are-not-googlebot)", bundled)).toBeNull();
    expect(verifyCrawler("203.0.113.5", "ExampleBot/1.0 (+https://example.com/not-archive.org_bot)", bundled)).toBeNull();
  });

  it("matches the product token case-insensitively", () => {
    expect(verifyCrawler("66.249.66.1", "mozilla/5.0 (compatible; GOOGLEBOT/2.1)", bundled)).toEqual({
      crawler: "googlebot",
      verified: true,
    });
  });
});

describe("crawler range documents", () => {
  const crawler = {
    id: "examplebot",
    name: "ExampleBot",
    userAgentTokens: ["ExampleBot"],
    source: "https://example.com/bot.json",
    snapshot: { date: "2026-11-01" },
    prefixes: ["192.0.2.0/24", "2001:db8::/32"],
  };

  it("rejects a malformed CIDR, naming why", () => {
    const built = buildCrawlerIndex({ version: 1, crawlers: [{ ...crawler, prefixes: ["192.0.2.1/24"] }] });
    expect(built.ok ? null : built.error).toMatch(/host bits/);
  });

  it.each([
    ["a token shared by two crawlers", { version: 1, crawlers: [crawler, { ...crawler, id: "other", userAgentTokens: ["examplebot"] }] }],
    ["a repeated id", { version: 1, crawlers: [crawler, { ...crawler, userAgentTokens: ["Other"] }] }],
    ["an unknown field", { version: 1, crawlers: [{ ...crawler, ranges: [] }] }],
    ["a missing snapshot date", { version: 1, crawlers: [{ ...crawler, snapshot: {} }] }],
    ["a token with a space", { version: 1, crawlers: [{ ...crawler, userAgentTokens: ["Example Bot"] }] }],
    ["no prefixes", { version: 1, crawlers: [{ ...crawler, prefixes: [] }] }],
    ["another version", { version: 2, crawlers: [crawler] }],
  ])("rejects %s", (_, doc) => {
    expect(buildCrawlerIndex(doc).ok).toBe(false);
  });

  it("reads an operator's published list, so a refresh can rebuild the index", () => {
    const published = PublishedRangesSchema.parse({
      creationTime: "2026-11-20T14:46:45.000000",
      prefixes: [{ ipv6Prefix: "2001:db8:1::/48" }, { ipv4Prefix: "198.51.100.0/24" }],
    });
    const refreshed = index({ version: 1, crawlers: [{ ...crawler, prefixes: publishedPrefixes(published) }] });
    expect(verifyCrawler("198.51.100.9", "ExampleBot/2.0", refreshed)).toEqual({ crawler: "examplebot", verified: true });
    expect(verifyCrawler("192.0.2.9", "ExampleBot/2.0", refreshed)).toEqual({ crawler: "examplebot", verified: false });
  });

  it("refuses a published list whose prefix is of the wrong family or malformed", () => {
    expect(PublishedRangesSchema.safeParse({ prefixes: [{ ipv4Prefix: "2001:db8::/32" }] }).success).toBe(false);
    expect(PublishedRangesSchema.safeParse({ prefixes: [{ ipv6Prefix: "2001:db8::/200" }] }).success).toBe(false);
  });
});
