import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_BEHAVIOUR_LIMITS } from "../../core/signals/behaviour";
import type { Stack } from "../../dev/stack";
import { FAST_TARPIT, startTestStack } from "../support/test-stack";
import { desktopChromeUa, launchChromium } from "../support/chromium";
import { startClientProxy, type ClientProxy } from "../support/client-proxy";
import { OriginPages } from "../support/origin-pages";
import {
  CLAUDEBOT_UA,
  clientContext,
  curlGet,
  feedparserPoll,
  GOOGLEBOT_UA,
  httrackRun,
  lynxDump,
  requestsCrawl,
  scrapyRun,
  wgetMirror,
} from "../support/real-clients";

/**
 * Real clients against the real dev stack: people and good bots get real pages, scraping tools with their
 * default settings get no more than a handful. "Real pages" are counted where they are served: at the demo
 * origin, per client address.
 */
/** Inside 192.178.4.0/27, one of Google's published crawler ranges bundled in core/data/crawler-ranges.json. */
const GOOGLE_IP = "192.178.4.9";
/**
 * The most real pages a scraping tool with default settings may get: its designed budget, the crawl-scripted limit
 * (core/signals/behaviour.ts). Without that signal a tool still stops, but later (at 7, through no-subresources).
 * Parallel fetchers (Scrapy: 16 requests in flight, HTTrack: several connections) get no slack: edge-guard counts
 * each request before deciding it (guard.ts), and this stack runs one edge isolate, so requests in flight at the same
 * time see each other's counts. (Across isolates in production, up to one page per extra connection could slip by.)
 */
const HANDFUL = DEFAULT_BEHAVIOUR_LIMITS.scriptedPages;

let stack: Stack;
let work: string;
const proxies: ClientProxy[] = [];
/** Real HTML pages the origin served, per client address. */
const origin = new OriginPages();

async function proxyFor(ip: string, extra?: Record<string, string>): Promise<string> {
  const proxy = await startClientProxy(ip, extra);
  proxies.push(proxy);
  return proxy.url;
}

/** The tool got its first page (so counting works and it was not refused outright) and no more than a handful. */
function expectHandful(ip: string): void {
  expect(origin.pages(ip)).toBeGreaterThan(0);
  expect(origin.pages(ip)).toBeLessThanOrEqual(HANDFUL);
}

beforeAll(async () => {
  stack = await startTestStack({ onOriginRequest: origin.record, vars: FAST_TARPIT });
  // Before the first request (a fresh isolate reads the policy once): challenge one hosting network, which
  // only the Chromium test browses from.
  await (
    await stack.miniflare.getKVNamespace("BLOCKLIST", "edge-guard")
  ).put(
    "policy:active",
    JSON.stringify({ version: 1, rules: [{ name: "challenge-hosting", match: { asn: [64512] }, action: "challenge" }] }),
  );
  work = await mkdtemp(join(tmpdir(), "edge-guard-clients-"));
});

afterAll(async () => {
  if (process.env.E2E_DEBUG) console.log(origin.summary());
  for (const proxy of proxies) await proxy.close();
  await stack?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("people and good bots get through", () => {
  it("lynx (no JavaScript, no subresources) reads real pages", async () => {
    const ip = "192.0.2.21";
    const proxy = await proxyFor(ip);
    const home = await lynxDump(`${stack.edgeUrl}/`, { proxy, check: true });
    expect(home).toMatch(/World Factbook|Factbook/i);
    const article = /\b(http:\/\/127\.0\.0\.1:\d+\/articles\/[a-z0-9-]+)\b/.exec(home)?.[1];
    expect(article).toBeDefined();
    for (const page of [article ?? "", `${stack.edgeUrl}/page/2`, `${stack.edgeUrl}/tags`]) {
      await lynxDump(page, { proxy, check: true });
    }
    expect(origin.pages(ip)).toBe(4);
  });

  it("a feed reader gets the feed", async () => {
    const proxy = await proxyFor("192.0.2.22");
    const { status, entries } = await feedparserPoll(`${stack.edgeUrl}/feed.xml`, { proxy, check: true });
    expect(status).toBe(200);
    expect(entries).toBeGreaterThanOrEqual(10);
  });

  it("a verified Googlebot crawls real pages; the same User-Agent from elsewhere gets none", async () => {
    const crawl = async (ip: string) => {
      let next = "/";
      for (let i = 0; i < 15; i++) {
        const response = await fetch(`${stack.edgeUrl}${next}`, {
          headers: { "user-agent": GOOGLEBOT_UA, "cf-connecting-ip": ip, accept: "text/html" },
        });
        const html = await response.text();
        next = /href="(\/articles\/[a-z0-9-]+)"/g.exec(html.slice(i * 200))?.[1] ?? "/";
      }
    };
    await crawl(GOOGLE_IP);
    await crawl("203.0.113.77");
    expect(origin.pages(GOOGLE_IP)).toBe(15);
    expect(origin.pages("203.0.113.77")).toBe(0);
  });

  it("a person in Chromium passes the challenge and reads real pages", async () => {
    const ip = "192.0.2.23";
    let browser: Browser | undefined;
    try {
      // A person's browser: not automation-controlled (Playwright's default launch is, and the challenge sees it).
      browser = await launchChromium({ person: true });
      const context = await clientContext(browser, ip, JSON.stringify({ asn: 64512 }), { userAgent: await desktopChromeUa(browser) });
      const page = await context.newPage();
      const first = await page.goto(`${stack.edgeUrl}/page/3`);
      expect(first?.status()).not.toBe(200); // the challenge, not the page
      // The challenge page is served at the same URL; wait for the real page's article links, then check.
      await page.waitForSelector("main a[href^='/articles/']", { timeout: 60_000 });
      expect(page.url()).toMatch(/\/page\/3$/);
      expect(await page.title()).not.toMatch(/moment|check/i);
      await page.click("main a[href^='/articles/']");
      await page.waitForLoadState("load");
      expect(origin.pages(ip)).toBeGreaterThanOrEqual(2);
    } finally {
      await browser?.close();
    }
  });
});

describe("scrapers with default settings get no more than a handful of real pages", () => {
  it("curl, following links", async () => {
    const ip = "198.18.31.7"; // a /24 of its own: prefix counters must not mix tools
    const proxy = await proxyFor(ip);
    let next = "/";
    for (let i = 0; i < 30; i++) {
      const stdout = await curlGet(`${stack.edgeUrl}${next}`, { proxy, check: true });
      next = /href="(\/(?:articles|tags|page)\/[a-z0-9-]+)"/.exec(stdout.slice(300 + i * 50))?.[1] ?? "/";
    }
    expectHandful(ip);
  });

  it("wget --recursive", async () => {
    const ip = "198.18.32.7"; // a /24 of its own: prefix counters must not mix tools
    const proxy = await proxyFor(ip);
    // Unchecked: wget exits non-zero when it meets error answers.
    await wgetMirror(`${stack.edgeUrl}/`, { proxy, dir: join(work, "wget"), depth: 3, quota: "5m", timeoutMs: 120_000 });
    expectHandful(ip);
  });

  it("python-requests, following links", async () => {
    const ip = "198.18.33.7"; // a /24 of its own: prefix counters must not mix tools
    const proxy = await proxyFor(ip);
    await requestsCrawl(stack.edgeUrl, { proxy, start: "/", limit: 40, timeoutMs: 120_000, check: true });
    expectHandful(ip);
  });

  it("Scrapy, crawling", async () => {
    const ip = "198.18.34.7"; // a /24 of its own: prefix counters must not mix tools
    const proxy = await proxyFor(ip);
    await scrapyRun(`${stack.edgeUrl}/`, { proxy, work, pages: 40, timeoutMs: 120_000, check: true });
    expectHandful(ip);
  });

  it("HTTrack, mirroring", async () => {
    const ip = "198.18.35.7"; // a /24 of its own: prefix counters must not mix tools
    const proxy = await proxyFor(ip);
    await httrackRun(`${stack.edgeUrl}/`, { proxy, dir: join(work, "httrack"), depth: 3, maxSeconds: 60, timeoutMs: 120_000 });
    expectHandful(ip);
  });

  it("a declared AI crawler gets none", async () => {
    const ip = "198.18.36.7"; // a /24 of its own: prefix counters must not mix tools
    for (const path of ["/", "/articles/france", "/page/2", "/tags"]) {
      const response = await fetch(`${stack.edgeUrl}${path}`, {
        headers: { "user-agent": CLAUDEBOT_UA, "cf-connecting-ip": ip },
      });
      await response.text();
    }
    expect(origin.pages(ip)).toBe(0);
  });
});
