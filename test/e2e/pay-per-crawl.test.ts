import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../dev/build";
import { demoPayPolicy, sampleCrawlerOrigin, seedDemoPolicy } from "../../dev/pay-demo";
import type { Stack } from "../../dev/stack";
import { startTestStack } from "../support/test-stack";
import { loadOrCreateKey, serveKeyDirectory, type CrawlerKey } from "../../scripts/ops/crawler-key";
import { signedHeaders, type PaidCrawlResult } from "../../scripts/ops/paid-crawl";

/**
 * Pay per crawl on the real stack (the `npm run dev` code: Miniflare with the four Workers, the demo origin, the
 * embedded Postgres). The sample crawler (`npm run crawler:paid`) runs as a real client process: its own Ed25519 key,
 * its own key directory on loopback, real RFC 9421 signatures; what it was charged is read from its account.
 */
let stack: Stack;
let dir: string;
let paying: CrawlerKey;
let payingPort: number;
let suspendedPort: number;
let accountPort: number;
const PAYING_KEY = () => join(dir, "paying.json");
const SUSPENDED_KEY = () => join(dir, "suspended.json");
const ACCOUNT_KEY = () => join(dir, "account.json");

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edge-guard-pay-"));
  [payingPort, suspendedPort, accountPort] = [await freePort(), await freePort(), await freePort()];
  paying = (await loadOrCreateKey(PAYING_KEY())).key;
  stack = await startTestStack({
    vars: {
      "edge-guard": {
        WEB_BOT_AUTH_DEV_DIRECTORIES: [payingPort, suspendedPort, accountPort].map((port) => sampleCrawlerOrigin(port)).join(","),
      },
    },
  });
  // npm run dev's demo policy, plus a second crawler the policy forbids (its `forbidden` terms) and a third, trusted,
  // whose account the operator suspends in admin (a test below).
  const demo = demoPayPolicy(sampleCrawlerOrigin(payingPort)) as { webBotAuth: { trustedSigners: object[] }; payPerCrawl: object };
  const policy = {
    ...demo,
    webBotAuth: {
      trustedSigners: [
        ...demo.webBotAuth.trustedSigners,
        { origin: sampleCrawlerOrigin(suspendedPort), name: "suspended" },
        { origin: sampleCrawlerOrigin(accountPort), name: "account-holder" },
      ],
    },
    payPerCrawl: { ...demo.payPerCrawl, crawlers: { suspended: { forbidden: true } } },
  };
  expect(await seedDemoPolicy(stack.adminUrl, stack.secrets.ADMIN_DEV_TOKEN, policy)).toBe(true);
  // A restart keeps what an operator saved.
  expect(await seedDemoPolicy(stack.adminUrl, stack.secrets.ADMIN_DEV_TOKEN)).toBe(false);
});

afterAll(async () => {
  await stack?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

let nextIp = 1;
const freshIp = () => `198.18.140.${nextIp++}`;

interface Run {
  readonly code: number;
  readonly result: PaidCrawlResult & { readonly bodyChars: number };
  readonly stderr: string;
}

/** Runs `npm run crawler:paid`'s script as its own process, from a fresh client address unless one is given. */
async function crawler(path: string, args: readonly string[] = [], o: { key?: string; port?: number; ip?: string } = {}): Promise<Run> {
  const argv = [
    join(ROOT, "node_modules/tsx/dist/cli.mjs"),
    "scripts/ops/paid-crawler.ts",
    `${stack.edgeUrl}${path}`,
    "--json",
    "--key",
    o.key ?? PAYING_KEY(),
    "--directory-port",
    String(o.port ?? payingPort),
    "--header",
    `CF-Connecting-IP: ${o.ip ?? freshIp()}`,
    ...args,
  ];
  return new Promise((resolve) => {
    execFile(process.execPath, argv, { cwd: ROOT }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, result: JSON.parse(stdout.trim().split("\n").at(-1) ?? "null"), stderr });
    });
  });
}

interface Totals {
  readonly charges: number;
  readonly spentMicros: number;
}
/** The paying crawler's account (one per key thumbprint and directory origin), through Miniflare's proxy. */
async function totals(key: CrawlerKey = paying, port = payingPort): Promise<Totals> {
  const accounts = (await stack.miniflare.getDurableObjectNamespace("CRAWLER_ACCOUNT", "edge-guard")) as unknown as {
    idFromName(name: string): unknown;
    get(id: unknown): { totals(): Promise<Totals> };
  };
  return accounts.get(accounts.idFromName(`${key.thumbprint} ${sampleCrawlerOrigin(port)}`)).totals();
}

/** Waits until `read` returns what `expected` says (a refund lands off the response path). */
async function eventually<T>(read: () => Promise<T>, expected: T, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await read();
  while (JSON.stringify(value) !== JSON.stringify(expected) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

describe("the sample crawler pays per crawl", () => {
  it("gets 402 with crawler-price, retries signed with crawler-exact-price, gets the page with crawler-charged, charged once", async () => {
    const before = await totals();
    const run = await crawler("/articles/france");
    expect(run.code, run.stderr).toBe(0);
    expect(run.result.first).toEqual({ status: 402, price: "USD 0.01", charged: null, error: "MissingCrawlerPrice" });
    expect(run.result.offered).toEqual({ header: "crawler-exact-price", value: "USD 0.01" });
    expect(run.result.paid).toEqual([{ status: 200, price: null, charged: "USD 0.01", error: null }]);
    expect(run.result.bodyChars).toBeGreaterThan(1000);
    expect(await totals()).toEqual({ charges: before.charges + 1, spentMicros: before.spentMicros + 10_000 });
  });

  it("with --max-price, retries with crawler-max-price and is charged the price, not its maximum", async () => {
    const before = await totals();
    const run = await crawler("/articles/germany", ["--max-price", "USD 0.05"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.result.offered).toEqual({ header: "crawler-max-price", value: "USD 0.05" });
    expect(run.result.paid).toEqual([{ status: 200, price: null, charged: "USD 0.01", error: null }]);
    expect(await totals()).toEqual({ charges: before.charges + 1, spentMicros: before.spentMicros + 10_000 });
  });

  it("is charged once for 20 concurrent retries of the same signed request, each of which gets the page", async () => {
    const before = await totals();
    const run = await crawler("/articles/japan", ["--duplicates", "20"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.result.paid).toHaveLength(20);
    expect(run.result.paid.every((a) => a.status === 200 && a.charged === "USD 0.01")).toBe(true);
    expect(await totals()).toEqual({ charges: before.charges + 1, spentMicros: before.spentMicros + 10_000 });
  });

  it("pays the origin's own price where the policy prices in-band", async () => {
    const before = await totals();
    const run = await crawler("/premium/france");
    expect(run.code, run.stderr).toBe(0);
    expect(run.result.first).toMatchObject({ status: 402, price: "USD 0.05" });
    expect(run.result.paid).toEqual([{ status: 200, price: null, charged: "USD 0.05", error: null }]);
    expect(await totals()).toEqual({ charges: before.charges + 1, spentMicros: before.spentMicros + 50_000 });
  });

  it("does not pay above its --max-price, and says why", async () => {
    const before = await totals();
    const run = await crawler("/articles/spain", ["--max-price", "USD 0.001"]);
    expect(run.code).toBe(1);
    expect(run.result.outcome).toBe("over-max-price");
    expect(run.result.paid).toEqual([]);
    expect(run.stderr).toContain("above --max-price");
    expect(await totals()).toEqual(before);
  });

  it("reads robots.txt free, with the site's Content Signals", async () => {
    const response = await fetch(`${stack.edgeUrl}/robots.txt`, { headers: { "cf-connecting-ip": freshIp() } });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^User-agent: \*\nContent-Signal: search=yes, ai-input=no, ai-train=no$/m);
  });
});

describe("refusals, as the protocol names them", () => {
  it("refuses an unsigned request carrying a price header: 400 StrongAuthRequired", async () => {
    const response = await fetch(`${stack.edgeUrl}/articles/france`, {
      headers: { "crawler-exact-price": "USD 0.01", "cf-connecting-ip": freshIp(), "user-agent": "curl/8.5.0" },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("crawler-error")).toBe("StrongAuthRequired");
    expect(await response.text()).not.toContain("<main");
  });

  it("answers 502 InvalidContentPrice when the origin names a malformed price, and charges nothing", async () => {
    const before = await totals();
    const run = await crawler("/premium/bad-price");
    expect(run.code).toBe(1);
    expect(run.result.first).toMatchObject({ status: 502, error: "InvalidContentPrice" });
    expect(run.stderr).toContain("InvalidContentPrice");
    expect(await totals()).toEqual(before);
  });

  it("refuses a crawler the policy forbids with 403 CrawlerForbidden", async () => {
    const run = await crawler("/articles/france", [], { key: SUSPENDED_KEY(), port: suspendedPort });
    expect(run.code).toBe(1);
    expect(run.result.first).toMatchObject({ status: 403, error: "CrawlerForbidden" });
    expect(run.result.paid).toEqual([]);
  });

  it("charges an account until the operator suspends it in admin, then answers 403 CrawlerForbidden", async () => {
    const key = (await loadOrCreateKey(ACCOUNT_KEY())).key;
    const admin = (path: string, method: string, body: unknown) =>
      fetch(`${stack.adminUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${stack.secrets.ADMIN_DEV_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const directory = sampleCrawlerOrigin(accountPort);
    const created = await admin("/api/accounts", "POST", { thumbprint: key.thumbprint, directory, name: "Account holder" });
    expect(created.status).toBe(201);
    const active = await crawler("/articles/japan", [], { key: ACCOUNT_KEY(), port: accountPort });
    expect(active.code).toBe(0);
    expect(active.result.paid.at(-1)).toMatchObject({ status: 200, charged: "USD 0.01" });

    const suspended = await admin(`/api/accounts/${key.thumbprint}`, "PATCH", {
      state: "suspended",
    });
    expect(suspended.status).toBe(200);
    const refused = await crawler("/articles/germany", [], { key: ACCOUNT_KEY(), port: accountPort });
    expect(refused.code).toBe(1);
    expect(refused.result.paid.at(-1)).toMatchObject({ status: 403, error: "CrawlerForbidden", charged: null });
  });

  it("refuses a blocklisted address even when it pays: the blocked page, no price, nothing charged", async () => {
    const ip = "45.81.140.9"; // admin refuses to list reserved ranges (core/admin/safety.ts), so a public-looking address
    const added = await fetch(`${stack.adminUrl}/api/blocklist`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.secrets.ADMIN_DEV_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ target: ip, reason: "e2e: listed paying crawler", ttlSeconds: 3600 }),
    });
    expect(added.status).toBe(201);
    const before = await totals();
    const run = await crawler("/articles/italy", ["--max-price", "USD 1"], { ip });
    expect(run.code).toBe(1);
    expect(run.result.first).toEqual({ status: 403, price: null, charged: null, error: null });
    expect(await totals()).toEqual(before);
  });

  it("refunds the charge when the origin fails to deliver", async () => {
    const before = await totals();
    await stack.origin.pause();
    let run: Run;
    try {
      run = await crawler("/articles/norway");
    } finally {
      await stack.origin.resume();
    }
    expect(run.result.first.status).toBe(402); // priced at the edge, before the origin
    expect(run.result.paid).toMatchObject([{ status: 502, charged: null }]);
    expect(await eventually(totals, before)).toEqual(before);
  });

  describe("hand-made signed requests (the crawler's own signer, its directory served by the test)", () => {
    let close: (() => Promise<void>) | null = null;
    beforeAll(async () => {
      close = (await serveKeyDirectory(paying, payingPort)).close;
    });
    afterAll(async () => close?.());

    const signedGet = async (path: string, covered: Record<string, string>, tamper: Record<string, string> = {}) => {
      const url = `${stack.edgeUrl}${path}`;
      const headers = { ...(await signedHeaders(paying, sampleCrawlerOrigin(payingPort), url, covered)), ...tamper };
      return fetch(url, { headers: { ...headers, "cf-connecting-ip": freshIp(), "user-agent": "edge-guard-sample-crawler/1.0" } });
    };

    it.each<[string, Record<string, string>, Record<string, string>, number, string]>([
      ["a price in another currency", { "crawler-max-price": "EUR 1.00" }, {}, 400, "InvalidCrawlerPriceValue"],
      ["a negative amount", { "crawler-max-price": "USD -1" }, {}, 400, "InvalidCrawlerPriceValue"],
      ["an absurd amount", { "crawler-max-price": "USD 99999999999" }, {}, 400, "InvalidCrawlerPriceValue"],
      ["both price headers", { "crawler-exact-price": "USD 0.01", "crawler-max-price": "USD 0.01" }, {}, 400, "ConflictingPriceHeaders"],
      ["a price header the signature does not cover", {}, { "crawler-exact-price": "USD 0.01" }, 400, "StrongAuthRequired"],
      [
        "a covered price changed after signing",
        { "crawler-max-price": "USD 0.01" },
        { "crawler-max-price": "USD 9" },
        400,
        "InvalidSignature",
      ],
      ["an exact price that is not the price", { "crawler-exact-price": "USD 0.02" }, {}, 402, "InvalidCrawlerExactPrice"],
      ["a max price below the price", { "crawler-max-price": "USD 0.009" }, {}, 402, "InvalidCrawlerMaxPrice"],
    ])("%s: refused with its code, nothing charged", async (_, covered, tamper, status, error) => {
      const before = await totals();
      const response = await signedGet("/articles/france", covered, tamper);
      expect(response.status).toBe(status);
      expect(response.headers.get("crawler-error")).toBe(error);
      expect(response.headers.get("crawler-charged")).toBeNull();
      expect(await response.text()).not.toContain("<main");
      expect(await totals()).toEqual(before);
    });

    it("serves a replayed signature again without charging again", async () => {
      const before = await totals();
      const url = `${stack.edgeUrl}/articles/canada`;
      const headers = {
        ...(await signedHeaders(paying, sampleCrawlerOrigin(payingPort), url, { "crawler-exact-price": "USD 0.01" })),
        "cf-connecting-ip": freshIp(),
      };
      for (let i = 0; i < 3; i++) {
        const response = await fetch(url, { headers });
        expect(response.status).toBe(200);
        expect(response.headers.get("crawler-charged")).toBe("USD 0.01");
        await response.body?.cancel();
      }
      expect(await totals()).toEqual({ charges: before.charges + 1, spentMicros: before.spentMicros + 10_000 });
    });
  });
});
