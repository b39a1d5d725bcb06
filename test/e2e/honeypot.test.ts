import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { launchChromium } from "../support/chromium";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LABYRINTH_ROBOTS_META } from "../../core/labyrinth";
import type { Stack } from "../../dev/stack";
import { FAST_TARPIT, startTestStack } from "../support/test-stack";
import { CHROME_NAVIGATION_HEADERS } from "../support/browser-headers";
import { OriginPages } from "../support/origin-pages";

/**
 * Honeypots nobody else can spring: trap URLs embedded in another site's page (images, a script, a frame, a
 * prefetch, even with real honeypot tokens stolen or copied) label no visitor and cost them nothing; a crawler that
 * follows the hidden link served to it is labelled and kept in the labyrinth; a link passed to another network
 * labels nobody. Real pages are counted where they are served: at the demo origin, per client address.
 */
const CHROME_UA = CHROME_NAVIGATION_HEADERS["user-agent"] ?? "";
const HIDDEN_LINK = /<a href="(\/archive\/[0-9a-f]{20}\/index\.html)" rel="nofollow" aria-hidden="true"/;
/** Pages of the demo site to look for a hidden link on (one page in four carries one, per client). */
const SITE_PATHS = [
  "/",
  "/page/2",
  "/page/3",
  "/tags",
  "/about",
  "/regions",
  "/page/4",
  "/page/5",
  "/page/6",
  "/page/7",
  "/page/8",
  "/page/9",
];

let stack: Stack;
let thirdParty: Server;
let thirdPartyUrl: string;
let thirdPartyPage = "";
/** Real HTML pages the origin served, per client address. */
const origin = new OriginPages();
const served = (ip: string): number => origin.pages(ip);

/** Desktop Chrome's headers for a build (`major`), with its User-Agent and client hints in agreement. */
function chromeHeaders(major: string): Record<string, string> {
  return {
    ...CHROME_NAVIGATION_HEADERS,
    "user-agent": chromeUserAgent(major),
    "sec-ch-ua": `"Chromium";v="${major}", "Not_A Brand";v="24", "Google Chrome";v="${major}"`,
  };
}
const chromeUserAgent = (major: string) => CHROME_UA.replace(/Chrome\/\d+/, `Chrome/${major}`);

/** A request as Chrome sends it when a person follows a link on the site, from `ip`. */
function get(path: string, ip: string, headers: Record<string, string> = CHROME_NAVIGATION_HEADERS): Promise<Response> {
  return fetch(`${stack.edgeUrl}${path}`, { headers: { ...headers, "sec-fetch-site": "same-origin", "cf-connecting-ip": ip } });
}

/** Reads site pages as `ip` until one carries a hidden honeypot link, and returns that link. */
async function harvestHoneypot(ip: string, headers?: Record<string, string>): Promise<string> {
  for (const path of SITE_PATHS) {
    const href = HIDDEN_LINK.exec(await (await get(path, ip, headers)).text())?.[1];
    if (href !== undefined) return href;
  }
  throw new Error(`no page carried a honeypot link for ${ip}`);
}

async function blocklistEntry(ip: string): Promise<unknown> {
  return (await stack.miniflare.getKVNamespace("BLOCKLIST", "edge-guard")).get(`ip:${ip}`, "json");
}

/** Waits until a label written off the response path shows up in KV (or gives up and returns null). */
async function labelOf(ip: string): Promise<unknown> {
  for (let i = 0; i < 40; i++) {
    const entry = await blocklistEntry(ip);
    if (entry !== null) return entry;
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}

beforeAll(async () => {
  // A fast labyrinth: these tests count real pages, not how long a scraper is held.
  stack = await startTestStack({ onOriginRequest: origin.record, vars: FAST_TARPIT });
  // Another site: for Fetch Metadata, http://localhost:PORT is cross-site to the stack at http://127.0.0.1:PORT.
  thirdParty = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(thirdPartyPage));
  await new Promise<void>((resolve) => thirdParty.listen(0, "127.0.0.1", resolve));
  thirdPartyUrl = `http://localhost:${(thirdParty.address() as AddressInfo).port}/`;
  expect(new URL(stack.edgeUrl).hostname).toBe("127.0.0.1");
});

afterAll(async () => {
  if (process.env.E2E_DEBUG) console.log(origin.summary());
  await new Promise((resolve) => thirdParty?.close(resolve));
  await stack?.stop();
});

describe("trap URLs in another site's page", () => {
  it("spring nothing on a person whose browser loads them: the site stays real, no label, no challenge", async () => {
    const ip = "192.0.2.44";
    const browser: Browser = await launchChromium({ person: false });
    // A desktop Chrome User-Agent of the build that runs (a person's Chrome agrees with its own client hints).
    const major = browser.version().split(".")[0] ?? "131";
    // Real tokens for this browser: one stolen from another network, one served to the person's own /24 (an
    // attacker behind the same NAT), both copied into the other site's page.
    const stolen = await harvestHoneypot("198.51.100.44", chromeHeaders(major));
    const victims = await harvestHoneypot("192.0.2.45", chromeHeaders(major));
    const before = served(ip);
    const trap = (path: string) => `${stack.edgeUrl}${path}`;
    const images = Array.from(
      { length: 30 },
      (_, i) =>
        [stolen, victims, `/archive/${"0123456789abcdef0123"}/index.html`, `/archive/${(0xbeef00 + i).toString(16)}/photo-${i}.png`][
          i % 4
        ] ?? stolen,
    );
    thirdPartyPage = `<!doctype html><html><head><title>Another site</title>
<link rel="prefetch" href="${trap(victims)}">
<link rel="prefetch" href="${trap("/archive/0badf00d/prefetched")}">
<script src="${trap("/archive/static/0badf00d/app.0badf00d.js")}"></script>
</head><body><h1>Nothing to see</h1>
${images.map((path, i) => `<img src="${trap(path)}${i < 4 ? "" : `?n=${i}`}" width="1" height="1" alt="">`).join("\n")}
<iframe src="${trap(stolen)}" width="10" height="10"></iframe>
<iframe src="${trap("/archive/0badf00d/framed")}" width="10" height="10"></iframe>
</body></html>`;

    try {
      const context = await browser.newContext({ userAgent: chromeUserAgent(major), extraHTTPHeaders: { "cf-connecting-ip": ip } });
      const trapAnswers: number[] = [];
      context.on("response", (response) => {
        if (new URL(response.url()).pathname.startsWith("/archive/")) trapAnswers.push(response.status());
      });
      const page = await context.newPage();
      await page.goto(thirdPartyUrl, { waitUntil: "load" });
      await page.waitForLoadState("networkidle");
      // Every embedded trap URL reached edge-guard and got the empty answer (the prefetches may or may not be sent).
      expect(trapAnswers.length).toBeGreaterThanOrEqual(30 + 1 + 2);
      expect(new Set(trapAnswers)).toEqual(new Set([404]));
      expect(await blocklistEntry(ip)).toBeNull();

      // Then the person reads ten pages of the site, following links as a browser does.
      const visited = new Set<string>();
      const first = await page.goto(`${stack.edgeUrl}/`);
      expect(first?.status()).toBe(200);
      for (let n = 1; ; n++) {
        const path = new URL(page.url()).pathname;
        visited.add(path);
        expect(await page.title(), path).not.toMatch(/moment|check|denied/i);
        expect(await page.content(), path).not.toContain(LABYRINTH_ROBOTS_META);
        await expect.poll(() => served(ip) - before, { timeout: 5_000 }).toBe(n);
        if (n === 10) break;
        const hrefs = await page.$$eval("main a[href^='/'], nav a[href^='/']", (as) => as.map((a) => a.getAttribute("href") ?? ""));
        const next = hrefs.find((h) => !visited.has(h) && /^\/(?:articles|tags|regions|page)\//.test(h));
        expect(next, `a link to follow on ${path}`).toBeDefined();
        await page.locator(`a[href="${next}"]`).first().click();
        await page.waitForURL(`${stack.edgeUrl}${next}`);
        await page.waitForLoadState("load");
      }
      expect(served(ip) - before).toBe(10);
      expect(await blocklistEntry(ip)).toBeNull();
    } finally {
      await browser.close();
    }
  });
});

describe("the hidden link itself", () => {
  it("labels a crawler that follows the link served to it, and keeps it in the labyrinth", async () => {
    const ip = "198.18.60.7";
    const href = await harvestHoneypot(ip);
    const real = served(ip);
    expect(real).toBeGreaterThan(0);
    const trapped = await (await get(href, ip)).text();
    expect(trapped).toContain(LABYRINTH_ROBOTS_META);
    expect(await labelOf(ip)).toMatchObject({ action: "tarpit", reason: "honeypot", source: "edge" });
    for (const path of ["/", "/page/2", "/tags"]) {
      const html = await (await get(path, ip)).text();
      expect(html, path).toContain(LABYRINTH_ROBOTS_META);
    }
    expect(served(ip)).toBe(real); // none of its following pages were real
  });

  it("labels nobody when a link served to one client is requested by the same browser from another /24", async () => {
    const a = "198.18.61.7";
    const b = "198.18.62.7";
    const href = await harvestHoneypot(a);
    const fromB = await (await get(href, b)).text();
    expect(fromB).toContain(LABYRINTH_ROBOTS_META); // that one request gets the maze
    await new Promise((r) => setTimeout(r, 500)); // room for a label write, were there one
    expect(await blocklistEntry(a)).toBeNull();
    expect(await blocklistEntry(b)).toBeNull();
    const before = served(b);
    const home = await (await get("/", b)).text();
    expect(home).not.toContain(LABYRINTH_ROBOTS_META);
    expect(served(b)).toBe(before + 1);
  });
});
