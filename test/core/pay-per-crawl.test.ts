import { describe, expect, it } from "vitest";
import {
  PAY_ERRORS,
  alwaysFree,
  compilePayPerCrawl,
  formatPrice,
  globMatch,
  inBandDecision,
  parsePrice,
  payDecision,
  priceFor,
  pricedPath,
  type PayPerCrawlPolicy,
  type PayRequest,
} from "../../core/pay-per-crawl";
import { compilePolicy } from "../../core/policy/compile";

const SECTION: PayPerCrawlPolicy = {
  prices: [
    { path: "/articles/premium/*", price: "USD 0.05", purposes: ["ai-train"] },
    { path: "/articles/*", price: "USD 0.01" },
    { path: "/reports/*.pdf", price: "USD 1.50", crawlers: ["partner"] },
  ],
  freePaths: ["/articles/free-*"],
  crawlers: { trainer: { purpose: "ai-train" }, banned: { forbidden: true }, capped: { spendCap: "USD 0.02" } },
};
const pricing = compilePayPerCrawl(SECTION);

const signed = (
  name: string | null,
  covered: readonly string[] = ["@authority", "signature-agent", "crawler-exact-price", "crawler-max-price"],
) => ({
  name,
  covered: new Set(covered),
});
const request = (over: Partial<PayRequest>): PayRequest => ({
  path: "/articles/1",
  exactPrice: null,
  maxPrice: null,
  signer: signed("bot"),
  ...over,
});

describe("prices", () => {
  it.each([
    ["USD 0.01", 10_000],
    ["USD 0", 0],
    ["USD 1.5", 1_500_000],
    ["USD 0.000001", 1],
    [" USD 1000 ", 1_000_000_000],
  ])("parses %j", (text, micros) => expect(parsePrice(text)).toBe(micros));

  it.each([
    "EUR 0.01",
    "usd 0.01",
    "USD -0.01",
    "USD 0.0000001",
    "USD 1000.01",
    "USD 99999",
    "USD 01",
    "USD .5",
    "USD  0.01",
    "0.01",
    "USD 1e3",
    "USD 0,01",
    "",
  ])("refuses %j", (text) => expect(parsePrice(text)).toBeNull());

  it("formats with at least two decimals and no float rounding", () => {
    expect([10_000, 1_500, 1_000_000, 100_000, 1, 123_456_789].map(formatPrice)).toEqual([
      "USD 0.01",
      "USD 0.0015",
      "USD 1.00",
      "USD 0.10",
      "USD 0.000001",
      "USD 123.456789",
    ]);
    for (const micros of [10_000, 1_500, 1, 999_999_999]) expect(parsePrice(formatPrice(micros))).toBe(micros);
  });
});

describe("paths", () => {
  it("matches * globs over whole paths", () => {
    expect(globMatch("/articles/*", "/articles/1")).toBe(true);
    expect(globMatch("/articles/*", "/articles")).toBe(false);
    expect(globMatch("/reports/*.pdf", "/reports/2026/q1.pdf")).toBe(true);
    expect(globMatch("/reports/*.pdf", "/reports/q1.pdf.html")).toBe(false);
    expect(globMatch("/a*b*c", "/abc")).toBe(true);
    expect(globMatch("/a*b*c", "/acb")).toBe(false);
    expect(globMatch("/x", "/x/")).toBe(false);
  });

  it("keeps robots.txt, sitemaps and /.well-known/* free whatever the prices say", () => {
    const all = compilePayPerCrawl({ prices: [{ path: "/*", price: "USD 0.01" }] });
    for (const path of ["/robots.txt", "/sitemap.xml", "/news/sitemap-2.xml.gz", "/.well-known/http-message-signatures-directory"]) {
      expect(alwaysFree(path)).toBe(true);
      expect(pricedPath(all, path)).toBe(false);
    }
    expect(pricedPath(all, "/")).toBe(true);
  });

  it("prices by the first rule that matches the path, the crawler and its purpose; free paths win", () => {
    expect(priceFor(pricing, "/articles/1", "bot")).toBe(10_000);
    expect(priceFor(pricing, "/articles/premium/1", "trainer")).toBe(50_000);
    expect(priceFor(pricing, "/articles/premium/1", "bot")).toBe(10_000); // no declared purpose: the general rule
    expect(priceFor(pricing, "/reports/q1.pdf", "partner")).toBe(1_500_000);
    expect(priceFor(pricing, "/reports/q1.pdf", "bot")).toBeNull();
    expect(priceFor(pricing, "/articles/free-sample", "bot")).toBeNull();
    expect(priceFor(pricing, "/about", "bot")).toBeNull();
  });
});

describe("payDecision", () => {
  it("lets people and unsigned clients through: they never see a 402", () => {
    expect(payDecision(pricing, request({ signer: null }))).toEqual({ kind: "pass" });
    expect(payDecision(pricing, request({ signer: "invalid" }))).toEqual({ kind: "pass" });
    expect(payDecision(pricing, request({ signer: signed(null) }))).toEqual({ kind: "pass" });
  });

  it("asks a priced crawler without a price header to pay", () => {
    expect(payDecision(pricing, request({}))).toEqual({ kind: "refuse", error: "MissingCrawlerPrice", priceMicros: 10_000 });
  });

  it("charges an exact price equal to the price, or a max price at least the price", () => {
    const charge = { kind: "charge", priceMicros: 10_000, crawler: "bot", capMicros: null };
    expect(payDecision(pricing, request({ exactPrice: "USD 0.01" }))).toEqual(charge);
    expect(payDecision(pricing, request({ maxPrice: "USD 0.01" }))).toEqual(charge);
    expect(payDecision(pricing, request({ maxPrice: "USD 5" }))).toEqual(charge); // charged the price, not the max
    expect(payDecision(pricing, request({ signer: signed("capped"), exactPrice: "USD 0.01" }))).toMatchObject({
      kind: "charge",
      capMicros: 20_000,
    });
  });

  it.each<[string, Partial<PayRequest>, keyof typeof PAY_ERRORS]>([
    ["an unsigned request carrying a price header", { signer: null, exactPrice: "USD 0.01" }, "StrongAuthRequired"],
    [
      "a price header the signature does not cover",
      { signer: signed("bot", ["@authority", "signature-agent"]), exactPrice: "USD 0.01" },
      "StrongAuthRequired",
    ],
    ["a signature that does not verify", { signer: "invalid", maxPrice: "USD 1" }, "InvalidSignature"],
    ["a malformed price", { exactPrice: "USD 0.01.0" }, "InvalidCrawlerPriceValue"],
    ["another currency", { maxPrice: "EUR 0.01" }, "InvalidCrawlerPriceValue"],
    ["a negative amount", { maxPrice: "USD -1" }, "InvalidCrawlerPriceValue"],
    ["an absurd amount", { maxPrice: "USD 1000000" }, "InvalidCrawlerPriceValue"],
    ["both price headers", { exactPrice: "USD 0.01", maxPrice: "USD 0.01" }, "ConflictingPriceHeaders"],
    ["an exact price below the price", { exactPrice: "USD 0.009" }, "InvalidCrawlerExactPrice"],
    ["an exact price above the price", { exactPrice: "USD 0.02" }, "InvalidCrawlerExactPrice"],
    ["a max price below the price", { maxPrice: "USD 0.005" }, "InvalidCrawlerMaxPrice"],
    ["a forbidden crawler", { signer: signed("banned"), exactPrice: "USD 0.01" }, "CrawlerForbidden"],
    ["a signer the policy does not trust offering to pay", { signer: signed(null), exactPrice: "USD 0.01" }, "CrawlerForbidden"],
  ])("refuses %s", (_, over, error) => {
    const decision = payDecision(pricing, request(over));
    expect(decision).toMatchObject({ kind: "refuse", error });
  });

  it("never charges on a path that is free for this crawler, price header or not", () => {
    expect(payDecision(pricing, request({ path: "/reports/q1.pdf", exactPrice: "USD 1.50" }))).toEqual({ kind: "pass" });
  });

  it("has a status for every error, as the protocol lists them", () => {
    expect(PAY_ERRORS).toEqual({
      StrongAuthRequired: 400,
      InvalidSignature: 400,
      InvalidCrawlerPriceValue: 400,
      ConflictingPriceHeaders: 400,
      MissingCrawlerPrice: 402,
      InvalidCrawlerExactPrice: 402,
      InvalidCrawlerMaxPrice: 402,
      CrawlerForbidden: 403,
      PaymentFailed: 403,
      InvalidContentPrice: 502,
    });
  });
});

describe("payPerCrawl in a policy", () => {
  it("compiles a priced policy", () => {
    const compiled = compilePolicy({ version: 1, payPerCrawl: SECTION });
    expect(compiled.ok && compiled.value.payPerCrawl?.prices.map((p) => p.micros)).toEqual([50_000, 10_000, 1_500_000]);
    const plain = compilePolicy({ version: 1 });
    expect(plain.ok && plain.value.payPerCrawl).toBeNull();
  });

  it.each([
    [{ prices: [{ path: "/a/*", price: "0.01" }] }, "payPerCrawl.prices[0].price", 'a price such as "USD 0.01"'],
    [{ prices: [{ path: "/a/*", price: "USD 0" }] }, "payPerCrawl.prices[0].price", "more than 0"],
    [{ prices: [{ path: "/a/*", price: "EUR 1" }] }, "payPerCrawl.prices[0].price", "US dollars"],
    [{ prices: [{ path: "a/*", price: "USD 1" }] }, "payPerCrawl.prices[0].path", "starts with /"],
    [{ prices: [] }, "payPerCrawl.prices", ""],
    [{ prices: [{ path: "/a", price: "USD 1", purposes: ["scraping"] }] }, "payPerCrawl.prices[0].purposes[0]", "search"],
    [{ prices: [{ path: "/a", price: "USD 1" }], crawlers: { x: { spendCap: "lots" } } }, "payPerCrawl.crawlers.x.spendCap", "USD 0.01"],
    [{ prices: [{ path: "/a", price: "USD 1" }], licenseUrl: "ftp://x" }, "payPerCrawl.licenseUrl", "http(s) URL"],
  ])("refuses %j with an error naming the field", (section, path, hint) => {
    const compiled = compilePolicy({ version: 1, payPerCrawl: section });
    expect(compiled.ok).toBe(false);
    if (!compiled.ok) {
      expect(compiled.error).toContain(`at ${path}`);
      expect(compiled.error).toContain(hint);
    }
  });
});

describe("in-band pricing (the origin names the price)", () => {
  const inBand = compilePayPerCrawl({
    prices: [
      { path: "/premium/*", price: "in-band" },
      { path: "/*", price: "USD 0.01" },
    ],
  });
  const ask = (over: Partial<PayRequest>) => payDecision(inBand, request({ path: "/premium/1", ...over }));
  const settle = (over: Partial<PayRequest>, originPrice: string | null) => {
    const decision = ask(over);
    if (decision.kind !== "in-band") throw new Error(`expected in-band, got ${decision.kind}`);
    return inBandDecision(decision, originPrice);
  };

  it("accepts `in-band` as a rule's price, and nothing else that is not a price", () => {
    expect(compilePolicy({ version: 1, rules: [], payPerCrawl: { prices: [{ path: "/p/*", price: "in-band" }] } }).ok).toBe(true);
    const bad = compilePolicy({ version: 1, rules: [], payPerCrawl: { prices: [{ path: "/p/*", price: "origin" }] } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toContain('"in-band"');
  });

  it("asks the origin before judging an offer, and checks what it can before (value, coverage, conflict)", () => {
    expect(ask({})).toEqual({ kind: "in-band", offer: null, crawler: "bot", capMicros: null });
    expect(ask({ maxPrice: "USD 0.10" })).toEqual({
      kind: "in-band",
      offer: { header: "crawler-max-price", micros: 100_000 },
      crawler: "bot",
      capMicros: null,
    });
    expect(ask({ maxPrice: "EUR 1" })).toEqual({ kind: "refuse", error: "InvalidCrawlerPriceValue", priceMicros: null });
    expect(ask({ exactPrice: "USD 1", maxPrice: "USD 1" })).toMatchObject({ error: "ConflictingPriceHeaders", priceMicros: null });
    expect(ask({ signer: signed("bot", ["@authority"]), exactPrice: "USD 1" })).toMatchObject({ error: "StrongAuthRequired" });
    expect(ask({ signer: null, exactPrice: "USD 1" })).toMatchObject({ error: "StrongAuthRequired" });
  });

  it.each<[string, Partial<PayRequest>, string | null, object]>([
    ["no offer: 402 with the origin's price", {}, "USD 0.05", { kind: "refuse", error: "MissingCrawlerPrice", priceMicros: 50_000 }],
    ["the exact price", { exactPrice: "USD 0.05" }, "USD 0.05", { kind: "charge", priceMicros: 50_000, crawler: "bot" }],
    ["a max above it: charged the price", { maxPrice: "USD 1" }, "USD 0.05", { kind: "charge", priceMicros: 50_000 }],
    [
      "another exact price",
      { exactPrice: "USD 0.01" },
      "USD 0.05",
      { kind: "refuse", error: "InvalidCrawlerExactPrice", priceMicros: 50_000 },
    ],
    ["a max below it", { maxPrice: "USD 0.04" }, "USD 0.05", { kind: "refuse", error: "InvalidCrawlerMaxPrice", priceMicros: 50_000 }],
    ["no price from the origin: free", { exactPrice: "USD 0.05" }, null, { kind: "pass" }],
    [
      "a malformed origin price",
      { exactPrice: "USD 0.05" },
      "USD 0,05",
      { kind: "refuse", error: "InvalidContentPrice", priceMicros: null },
    ],
    ["an origin price in another currency", {}, "EUR 0.05", { kind: "refuse", error: "InvalidContentPrice" }],
    ["a zero origin price", {}, "USD 0", { kind: "refuse", error: "InvalidContentPrice" }],
    ["an absurd origin price", { maxPrice: "USD 1000" }, "USD 5000", { kind: "refuse", error: "InvalidContentPrice" }],
  ])("%s", (_, over, originPrice, expected) => {
    expect(settle(over, originPrice)).toMatchObject(expected);
  });

  it("keeps a fixed price where a fixed rule matches", () => {
    expect(payDecision(inBand, request({ path: "/other", exactPrice: "USD 0.01" }))).toMatchObject({ kind: "charge", priceMicros: 10_000 });
  });
});
