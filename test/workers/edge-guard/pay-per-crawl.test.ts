import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env as rawEnv, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { app, isolateState } from "../../../workers/edge-guard/app";
import type { EdgeGuardEnv } from "../../../workers/edge-guard/env";
import { DIRECTORY_TTL_MS } from "../../../workers/edge-guard/web-bot-auth";
import { kvKeys } from "../../../core/kv-keys";
import { CHROME_NAVIGATION_HEADERS } from "../../support/browser-headers";
import { createSigner, signatureHeaders, type SignOptions, type TestSigner } from "../../support/web-bot-auth-signer";

const env = rawEnv as unknown as EdgeGuardEnv;
const PAYING = "https://paying.example";
const FORBIDDEN = "https://forbidden.example";
const CAPPED = "https://capped.example";
const STRANGER = "https://stranger.example"; // signs validly, but the policy does not trust it
const LICENCE = "https://site.test/licensing";

const POLICY = {
  version: 1,
  webBotAuth: {
    trustedSigners: [
      { origin: PAYING, name: "paying-bot" },
      { origin: FORBIDDEN, name: "forbidden-bot" },
      { origin: CAPPED, name: "capped-bot" },
    ],
  },
  payPerCrawl: {
    // /premium/* is priced in-band: the dev origin names USD 0.05 (and a malformed price on /premium/bad-price).
    prices: [
      { path: "/articles/*", price: "USD 0.01" },
      { path: "/premium/*", price: "in-band" },
    ],
    freePaths: ["/articles/free-*"],
    crawlers: { "forbidden-bot": { forbidden: true }, "capped-bot": { spendCap: "USD 0.02" } },
    message: "Licensed content: pay per crawl.",
    licenseUrl: LICENCE,
  },
};

const signers = new Map<string, TestSigner>();
let next = 1;
const freshIp = () => `198.18.90.${next++}`;

// Before any request of this file's isolate: the operator's policy prices /articles/*. The signers' key directories
// are already in the isolate's directory cache (as after a first fetch; fetching one is covered by web-bot-auth tests),
// so every signature below is checked with real Ed25519 against the key its directory lists.
beforeAll(async () => {
  await env.BLOCKLIST.put("policy:active", JSON.stringify(POLICY));
  const now = Date.now();
  for (const origin of [PAYING, FORBIDDEN, CAPPED, STRANGER]) {
    const signer = await createSigner();
    signers.set(origin, signer);
    isolateState().directories.set(origin, {
      keys: new Map([[signer.thumbprint, { x: signer.jwk.x }]]),
      failure: null,
      checkedAt: now,
      retryAt: now + DIRECTORY_TTL_MS,
    });
  }
});

const signerOf = (origin: string): TestSigner => {
  const signer = signers.get(origin);
  if (signer === undefined) throw new Error(`no signer for ${origin}`);
  return signer;
};

/** A crawler's GET: signed by `origin`'s key when given, covering `covered`; `plain` headers are sent uncovered. */
async function crawl(
  path: string,
  o: { origin?: string; covered?: Record<string, string>; plain?: Record<string, string>; sign?: Partial<SignOptions>; ip?: string } = {},
): Promise<Request> {
  const url = `https://site.test${path}`;
  const signed =
    o.origin === undefined ? {} : await signatureHeaders(signerOf(o.origin), url, { agent: o.origin, covered: o.covered ?? {}, ...o.sign });
  return new Request(url, {
    headers: {
      "user-agent": "PayingCrawler/1.0 (+https://paying.example/bot)",
      "cf-connecting-ip": o.ip ?? freshIp(),
      ...o.plain,
      ...signed,
    },
  });
}

const send = (request: Request) => exports.default.fetch(request, { redirect: "manual" });

async function spent(origin: string): Promise<{ charges: number; spentMicros: number }> {
  return env.CRAWLER_ACCOUNT.getByName(`${signerOf(origin).thumbprint} ${origin}`).totals();
}

describe("pay per crawl: the exchange", () => {
  it("answers a priced crawler 402 with crawler-price and the licensing message, then serves the paid retry", async () => {
    const first = await send(await crawl("/articles/france", { origin: PAYING }));
    expect(first.status).toBe(402);
    expect(first.headers.get("crawler-price")).toBe("USD 0.01");
    expect(first.headers.get("crawler-error")).toBe("MissingCrawlerPrice");
    expect(await first.text()).toBe(`Licensed content: pay per crawl.\nLicence: ${LICENCE}\n`);

    const before = await spent(PAYING);
    const paid = await send(await crawl("/articles/france", { origin: PAYING, covered: { "crawler-exact-price": "USD 0.01" } }));
    expect(paid.status).toBe(200);
    expect(paid.headers.get("crawler-charged")).toBe("USD 0.01");
    expect(await paid.text()).toContain("<main");
    expect(await spent(PAYING)).toEqual({ charges: before.charges + 1, spentMicros: before.spentMicros + 10_000 });
  });

  it("charges the price, not the maximum a crawler offers", async () => {
    const before = await spent(PAYING);
    const paid = await send(await crawl("/articles/germany", { origin: PAYING, covered: { "crawler-max-price": "USD 0.50" } }));
    expect(paid.status).toBe(200);
    expect(paid.headers.get("crawler-charged")).toBe("USD 0.01");
    expect((await spent(PAYING)).spentMicros).toBe(before.spentMicros + 10_000);
    await paid.body?.cancel();
  });

  it("charges a retried request once, also under 20 concurrent retries", async () => {
    const before = await spent(PAYING);
    const retry = await crawl("/articles/japan", { origin: PAYING, covered: { "crawler-exact-price": "USD 0.01" } });
    const answers = await Promise.all(Array.from({ length: 20 }, () => send(retry.clone())));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.headers.get("crawler-charged")).toBe("USD 0.01");
      await answer.body?.cancel();
    }
    expect(await spent(PAYING)).toEqual({ charges: before.charges + 1, spentMicros: before.spentMicros + 10_000 });
    // The same signature replayed for another page pays for that page: a replay never reads for free.
    const replayed = new Request("https://site.test/articles/brazil", retry);
    const other = await send(replayed);
    expect(other.status).toBe(200);
    await other.body?.cancel();
    expect((await spent(PAYING)).charges).toBe(before.charges + 2);
  });

  it("refunds a charge when the origin fails to deliver", async () => {
    const before = await spent(PAYING);
    const ctx = createExecutionContext();
    const request = await crawl("/articles/canada", { origin: PAYING, covered: { "crawler-exact-price": "USD 0.01" } });
    const response = await app.fetch(request, { ...env, ORIGIN_URL: "http://127.0.0.1:9" }, ctx);
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(502);
    expect(response.headers.get("crawler-charged")).toBeNull();
    expect(await spent(PAYING)).toEqual(before);
  });

  it("bills only a delivered page: a paid request the origin answers 404 is refunded, without crawler-charged", async () => {
    const before = await spent(PAYING);
    const ctx = createExecutionContext();
    const request = await crawl("/articles/no-such-article", { origin: PAYING, covered: { "crawler-exact-price": "USD 0.01" } });
    const response = await app.fetch(request, env, ctx);
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(404);
    expect(response.headers.get("crawler-charged")).toBeNull();
    await response.body?.cancel();
    expect(await spent(PAYING)).toEqual(before);
  });

  it("keeps robots.txt, sitemaps, /.well-known/* and free paths free for a priced crawler", async () => {
    const before = await spent(PAYING);
    for (const path of ["/robots.txt", "/sitemap.xml", "/.well-known/security.txt", "/articles/free-sample", "/about"]) {
      const response = await send(await crawl(path, { origin: PAYING, covered: { "crawler-exact-price": "USD 0.01" } }));
      expect(response.status, path).not.toBe(402);
      expect(response.headers.get("crawler-charged"), path).toBeNull();
      expect(response.headers.get("crawler-error"), path).toBeNull();
      await response.body?.cancel();
    }
    expect(await spent(PAYING)).toEqual(before);
  });

  it("never answers a person 402, on a priced page", async () => {
    const response = await send(
      new Request("https://site.test/articles/france", { headers: { ...CHROME_NAVIGATION_HEADERS, "cf-connecting-ip": freshIp() } }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("crawler-price")).toBeNull();
    expect(await response.text()).toContain("<main");
  });
});

describe("pay per crawl: every crawler-error", () => {
  const ONE_CENT = { "crawler-exact-price": "USD 0.01" };
  it.each<[string, () => Promise<Request>, number, string, string | null]>([
    ["an unsigned request carrying a price header", () => crawl("/articles/france", { plain: ONE_CENT }), 400, "StrongAuthRequired", null],
    [
      "a price header the signature does not cover",
      () => crawl("/articles/france", { origin: PAYING, plain: ONE_CENT }),
      400,
      "StrongAuthRequired",
      "USD 0.01",
    ],
    [
      "a signature that does not verify (the covered price was changed after signing)",
      async () => {
        const signed = await crawl("/articles/france", { origin: PAYING, covered: ONE_CENT });
        const tampered = new Request(signed);
        tampered.headers.set("crawler-exact-price", "USD 0.02");
        return tampered;
      },
      400,
      "InvalidSignature",
      null,
    ],
    [
      "an expired signature",
      () =>
        crawl("/articles/france", {
          origin: PAYING,
          covered: ONE_CENT,
          sign: { createdS: Math.floor(Date.now() / 1000) - 600, expiresS: Math.floor(Date.now() / 1000) - 300 },
        }),
      400,
      "InvalidSignature",
      null,
    ],
    [
      "a price in another currency",
      () => crawl("/articles/france", { origin: PAYING, covered: { "crawler-max-price": "EUR 1.00" } }),
      400,
      "InvalidCrawlerPriceValue",
      "USD 0.01",
    ],
    [
      "a negative price",
      () => crawl("/articles/france", { origin: PAYING, covered: { "crawler-max-price": "USD -1" } }),
      400,
      "InvalidCrawlerPriceValue",
      "USD 0.01",
    ],
    [
      "an absurd price",
      () => crawl("/articles/france", { origin: PAYING, covered: { "crawler-max-price": "USD 99999999" } }),
      400,
      "InvalidCrawlerPriceValue",
      "USD 0.01",
    ],
    [
      "both price headers",
      () => crawl("/articles/france", { origin: PAYING, covered: { ...ONE_CENT, "crawler-max-price": "USD 0.01" } }),
      400,
      "ConflictingPriceHeaders",
      "USD 0.01",
    ],
    ["no price header", () => crawl("/articles/france", { origin: PAYING }), 402, "MissingCrawlerPrice", "USD 0.01"],
    [
      "an exact price that is not the price",
      () => crawl("/articles/france", { origin: PAYING, covered: { "crawler-exact-price": "USD 0.02" } }),
      402,
      "InvalidCrawlerExactPrice",
      "USD 0.01",
    ],
    [
      "a max price below the price",
      () => crawl("/articles/france", { origin: PAYING, covered: { "crawler-max-price": "USD 0.001" } }),
      402,
      "InvalidCrawlerMaxPrice",
      "USD 0.01",
    ],
    [
      "a crawler the operator forbids",
      () => crawl("/articles/france", { origin: FORBIDDEN, covered: ONE_CENT }),
      403,
      "CrawlerForbidden",
      null,
    ],
    [
      "an origin that names a malformed in-band price",
      () => crawl("/premium/bad-price", { origin: PAYING, covered: ONE_CENT }),
      502,
      "InvalidContentPrice",
      null,
    ],
    [
      "a signer the operator does not trust, offering to pay",
      () => crawl("/articles/france", { origin: STRANGER, covered: ONE_CENT }),
      403,
      "CrawlerForbidden",
      null,
    ],
  ])("%s", async (_, request, status, error, price) => {
    const response = await send(await request());
    expect(response.status).toBe(status);
    expect(response.headers.get("crawler-error")).toBe(error);
    expect(response.headers.get("crawler-price")).toBe(price);
    expect(response.headers.get("crawler-charged")).toBeNull();
    await response.body?.cancel();
  });

  it("refuses a charge past the crawler's spend cap with PaymentFailed, after charging up to it", async () => {
    const statuses: number[] = [];
    for (const n of ["norway", "sweden", "finland"]) {
      const response = await send(await crawl(`/articles/${n}`, { origin: CAPPED, covered: { "crawler-exact-price": "USD 0.01" } }));
      statuses.push(response.status);
      if (response.status === 403) expect(response.headers.get("crawler-error")).toBe("PaymentFailed");
      await response.body?.cancel();
    }
    expect(statuses).toEqual([200, 200, 403]);
    expect(await spent(CAPPED)).toEqual({ charges: 2, spentMicros: 20_000 });
  });

  it("answers PaymentFailed when the crawler's account cannot be reached: not served free, not charged, a counted fault", async () => {
    const down = {
      getByName: () => {
        throw new Error("account unreachable");
      },
    } as unknown as EdgeGuardEnv["CRAWLER_ACCOUNT"];
    const before = isolateState().faults.counts().ledger;
    const ctx = createExecutionContext();
    const request = await crawl("/articles/chile", { origin: PAYING, covered: { "crawler-exact-price": "USD 0.01" } });
    const response = await app.fetch(request, { ...env, CRAWLER_ACCOUNT: down }, ctx);
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(403);
    expect(response.headers.get("crawler-error")).toBe("PaymentFailed");
    expect(await response.text()).not.toContain("<main");
    expect(isolateState().faults.counts().ledger).toBe(before + 1);
  });

  it("lets a valid but untrusted signer without a price header through the usual pipeline (identified, not priced)", async () => {
    const response = await send(await crawl("/articles/france", { origin: STRANGER }));
    expect(response.status).not.toBe(402);
    expect(response.headers.get("crawler-error")).toBeNull();
    await response.body?.cancel();
  });
});

describe("pay per crawl: in-band pricing (the origin names the price)", () => {
  it("answers 402 with the origin's price, then charges exactly that price on the signed retry", async () => {
    const first = await send(await crawl("/premium/france", { origin: PAYING }));
    expect(first.status).toBe(402);
    expect(first.headers.get("crawler-price")).toBe("USD 0.05");
    expect(first.headers.get("crawler-error")).toBe("MissingCrawlerPrice");
    expect(await first.text()).not.toContain("<main"); // the page the origin sent is held back

    const before = await spent(PAYING);
    const paid = await send(await crawl("/premium/france", { origin: PAYING, covered: { "crawler-max-price": "USD 0.10" } }));
    expect(paid.status).toBe(200);
    expect(paid.headers.get("crawler-charged")).toBe("USD 0.05");
    expect(paid.headers.get("crawler-price")).toBeNull();
    expect(await paid.text()).toContain("<main");
    expect(await spent(PAYING)).toEqual({ charges: before.charges + 1, spentMicros: before.spentMicros + 50_000 });
  });

  it.each([
    [
      "an exact price that is the policy's, not the origin's",
      { "crawler-exact-price": "USD 0.01" },
      402,
      "InvalidCrawlerExactPrice",
      "USD 0.05",
    ],
    ["a max price below the origin's", { "crawler-max-price": "USD 0.04" }, 402, "InvalidCrawlerMaxPrice", "USD 0.05"],
  ])("refuses %s, without charging or serving", async (_, covered, status, error, price) => {
    const before = await spent(PAYING);
    const response = await send(await crawl("/premium/germany", { origin: PAYING, covered }));
    expect(response.status).toBe(status);
    expect(response.headers.get("crawler-error")).toBe(error);
    expect(response.headers.get("crawler-price")).toBe(price);
    expect(await response.text()).not.toContain("<main");
    expect(await spent(PAYING)).toEqual(before);
  });

  it("serves free what the origin names no price for, and never charges it", async () => {
    const before = await spent(PAYING);
    const response = await send(
      await crawl("/premium/no-such-article", { origin: PAYING, covered: { "crawler-exact-price": "USD 0.05" } }),
    );
    expect(response.status).toBe(404);
    expect(response.headers.get("crawler-charged")).toBeNull();
    await response.body?.cancel();
    expect(await spent(PAYING)).toEqual(before);
  });
});

describe("pay per crawl: a listed address is refused even when it pays", () => {
  it("answers a blocklisted paying crawler with the blocked page before any price, and charges nothing", async () => {
    const ip = "198.18.91.7";
    await env.BLOCKLIST.put(kvKeys.ip(ip), JSON.stringify({ action: "block", reason: "operator", source: "operator", at: Date.now() }));
    const before = await spent(PAYING);
    for (const covered of [{}, { "crawler-exact-price": "USD 0.01" }] as Record<string, string>[]) {
      const response = await send(await crawl("/articles/spain", { origin: PAYING, covered, ip }));
      expect(response.status).toBe(403);
      expect(response.headers.get("crawler-price")).toBeNull(); // refused before pricing
      expect(response.headers.get("crawler-error")).toBeNull(); // and never told why
      expect(await response.text()).toContain("Code: blocked");
    }
    expect(await spent(PAYING)).toEqual(before);
  });

  it("still serves a paying crawler whose address carries only a behavioural label (tarpit), charging once", async () => {
    const ip = "198.18.91.8";
    await env.BLOCKLIST.put(kvKeys.ip(ip), JSON.stringify({ action: "tarpit", reason: "honeypot", source: "edge", at: Date.now() }));
    const before = await spent(PAYING);
    const response = await send(await crawl("/articles/italy", { origin: PAYING, covered: { "crawler-exact-price": "USD 0.01" }, ip }));
    expect(response.status).toBe(200);
    expect(response.headers.get("crawler-charged")).toBe("USD 0.01");
    await response.body?.cancel();
    expect((await spent(PAYING)).charges).toBe(before.charges + 1);
  });
});
