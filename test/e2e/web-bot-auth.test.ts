import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "../../dev/stack";
import { FAST_TARPIT, startTestStack } from "../support/test-stack";
import { CHROME_NAVIGATION_HEADERS } from "../support/browser-headers";
import {
  createSigner,
  signatureHeaders,
  startKeyDirectory,
  type KeyDirectory,
  type SignOptions,
  type TestSigner,
} from "../support/web-bot-auth-signer";
import { OriginPages } from "../support/origin-pages";

/**
 * Web Bot Auth against the real dev stack: real Ed25519 keys, key directories on loopback HTTP (allowed by the
 * dev-only WEB_BOT_AUTH_DEV_DIRECTORIES), signed requests following links. A signature proves who, not welcome:
 * only signers the policy trusts read pages; a self-signed scraper is an identified bot; a signature outside its
 * validity window is no signature at all. Real pages are counted at the demo origin, per client address.
 */
const CRAWL = 30;
/** The most real pages an untrusted client may get. */
const HANDFUL = 5;
/** The User-Agent of the scripted clients below: bot-like enough that, unsigned, it gets a handful at most. */
const SCRIPT_UA = "python-requests/2.32.3";

let stack: Stack;
let partnerDirectory: KeyDirectory;
let scraperDirectory: KeyDirectory;
let partner: TestSigner;
let scraper: TestSigner;
let keyTrusted: TestSigner;
/** Real HTML pages the origin served, per client address. */
const origin = new OriginPages();
const pages = (ip: string): number => origin.pages(ip);

beforeAll(async () => {
  [partner, scraper, keyTrusted] = await Promise.all([createSigner(), createSigner(), createSigner()]);
  // The partner publishes its own directory; the scraper's directory also lists a key the operator trusts by thumbprint.
  partnerDirectory = await startKeyDirectory([partner]);
  scraperDirectory = await startKeyDirectory([scraper, keyTrusted]);

  stack = await startTestStack({
    onOriginRequest: origin.record,
    vars: { ...FAST_TARPIT, "edge-guard": { WEB_BOT_AUTH_DEV_DIRECTORIES: `${partnerDirectory.origin},${scraperDirectory.origin}` } },
  });
  // Before the first request (a fresh isolate reads the policy once).
  const policy = {
    version: 1,
    webBotAuth: {
      trustedSigners: [
        { origin: partnerDirectory.origin, name: "partner" },
        { thumbprint: keyTrusted.thumbprint, name: "one-key" },
      ],
    },
  };
  await (await stack.miniflare.getKVNamespace("BLOCKLIST", "edge-guard")).put("policy:active", JSON.stringify(policy));
});

afterAll(async () => {
  if (process.env.E2E_DEBUG) console.log(origin.summary());
  await stack?.stop();
  await partnerDirectory?.close();
  await scraperDirectory?.close();
});

interface Client {
  readonly ip: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Signs each request, or not at all. */
  readonly sign?: { readonly signer: TestSigner; readonly options: () => SignOptions };
}

/** Follows article, tag and page links like a crawler, `count` requests; returns the statuses it saw. */
async function crawl(client: Client, count: number): Promise<number[]> {
  const statuses: number[] = [];
  const seen = new Set<string>();
  let todo = ["/"];
  for (let i = 0; i < count; i++) {
    const path = todo.find((p) => !seen.has(p)) ?? "/";
    seen.add(path);
    const url = `${stack.edgeUrl}${path}`;
    const signed = client.sign ? await signatureHeaders(client.sign.signer, url, client.sign.options()) : {};
    const response = await fetch(url, { headers: { ...client.headers, ...signed, "cf-connecting-ip": client.ip } });
    statuses.push(response.status);
    const html = await response.text();
    todo = [...todo, ...[...html.matchAll(/href="(\/(?:articles|tags|page)\/[a-z0-9-]+)"/g)].map((m) => m[1] ?? "/")];
  }
  return statuses;
}

const scripted = { "user-agent": SCRIPT_UA, accept: "text/html" };
const nowS = () => Math.floor(Date.now() / 1000);

describe("Web Bot Auth: a signature proves who, not welcome", () => {
  it("a self-signed scraper with browser headers is an identified bot: a handful of real pages at most", async () => {
    const ip = "198.18.51.7"; // a /24 of its own: prefix counters must not mix clients
    const statuses = await crawl(
      { ip, headers: CHROME_NAVIGATION_HEADERS, sign: { signer: scraper, options: () => ({ agent: scraperDirectory.origin }) } },
      CRAWL,
    );
    expect(statuses).not.toContain(500); // 503 is the challenge page; 500 would be a failure
    expect(pages(ip)).toBeLessThanOrEqual(HANDFUL);
    expect(scraperDirectory.fetches()).toBeGreaterThan(0); // it was verified, not merely ignored
  });

  it("a signer the policy trusts by origin reads every page, even with a scripted User-Agent", async () => {
    const ip = "198.18.52.7";
    const statuses = await crawl(
      { ip, headers: scripted, sign: { signer: partner, options: () => ({ agent: partnerDirectory.origin }) } },
      CRAWL,
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(pages(ip)).toBe(CRAWL);
    expect(partnerDirectory.fetches()).toBe(1); // one fetch, then the cache
  });

  it("a key the policy trusts by thumbprint reads every page, with the legacy bare-String Signature-Agent", async () => {
    const ip = "198.18.53.7";
    await crawl(
      { ip, headers: scripted, sign: { signer: keyTrusted, options: () => ({ agent: scraperDirectory.origin, legacyAgent: true }) } },
      10,
    );
    expect(pages(ip)).toBe(10);
  });

  describe("a trusted key outside its validity window gets no more than an unsigned client", () => {
    const REFUSED = 10;
    let unsigned = -1;

    beforeAll(async () => {
      const ip = "198.18.54.7";
      await crawl({ ip, headers: scripted }, REFUSED);
      unsigned = pages(ip);
      // Otherwise "no trusted treatment" would prove nothing: a trusted signer reads all REFUSED pages.
      expect(unsigned).toBeLessThan(REFUSED);
    });

    it.each([
      ["an expired signature", "198.18.55.7", () => ({ createdS: nowS() - 7200, expiresS: nowS() - 3600 })],
      ["a future-dated signature", "198.18.56.7", () => ({ createdS: nowS() + 3600, expiresS: nowS() + 7200 })],
      ["a signature valid for 7 days", "198.18.57.7", () => ({ createdS: nowS() - 5, expiresS: nowS() - 5 + 7 * 86_400 })],
      ["a signature valid for 24 h and 1 s", "198.18.58.7", () => ({ createdS: nowS() - 5, expiresS: nowS() - 5 + 86_401 })],
    ])("%s", async (_what, ip, window) => {
      const statuses = await crawl(
        { ip, headers: scripted, sign: { signer: partner, options: () => ({ agent: partnerDirectory.origin, ...window() }) } },
        REFUSED,
      );
      expect(statuses).not.toContain(500);
      expect(pages(ip)).toBeLessThanOrEqual(unsigned);
      expect(pages(ip)).toBeLessThan(REFUSED);
    });
  });
});
