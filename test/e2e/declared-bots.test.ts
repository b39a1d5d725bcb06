import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import crawlers from "crawler-user-agents";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ranges from "../../core/data/crawler-ranges.json";
import { classifyDeclaredBot } from "../../core/declared-bots";
import { buildCrawlerIndex, verifyCrawler } from "../../core/verified-crawlers";
import type { Stack } from "../../dev/stack";
import { FAST_TARPIT, startTestStack } from "../support/test-stack";
import { startClientProxy, type ClientProxy } from "../support/client-proxy";
import { OriginPages } from "../support/origin-pages";
import { feedparserPoll, GOOGLEBOT_UA } from "../support/real-clients";

/**
 * Declared bots against the real dev stack: every crawler framework of the public lists gets at most one real
 * page from a datacenter address, while verified search and archive crawlers, link previews and feed readers keep
 * working. Real pages and feeds are counted where they are served: at the demo origin, per client address.
 */
const run = promisify(execFile);
const AWS = JSON.stringify({ asn: 16509 });
const BINGBOT_UA =
  "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36";
const ARCHIVE_UA = "Mozilla/5.0 (compatible; archive.org_bot +http://archive.org/details/archive.org_bot)";
/** Inside published ranges bundled in core/data/crawler-ranges.json: Google 192.178.4.0/27, Bing 157.55.39.0/24, the Archive's 207.241.224.0/20. */
const GOOGLE_IP = "192.178.4.9";
const BING_IP = "157.55.39.20";
const ARCHIVE_IP = "207.241.229.40";
/** Crawler User-Agents sampled from crawler-user-agents: every k-th, deterministic; at least this many. */
const SAMPLE_MIN = 150;
const CONCURRENCY = 8;

let stack: Stack;
let work: string;
const proxies: ClientProxy[] = [];
/** Real HTML pages and feeds the origin served, per client address. */
const origin = new OriginPages();

async function page(path: string, ip: string, userAgent: string, extra: Record<string, string> = {}): Promise<number> {
  const response = await fetch(`${stack.edgeUrl}${path}`, {
    headers: { "user-agent": userAgent, "cf-connecting-ip": ip, accept: "text/html", ...extra },
  });
  await response.body?.cancel();
  return response.status;
}

/** Runs `task` over `items` with at most `limit` at a time. */
async function bounded<T>(items: readonly T[], limit: number, task: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        await task(items[i] as T, i);
      }
    }),
  );
}

/** The crawler frameworks and other declared bots of the list: not the verified search crawlers, not the previews. */
function crawlerSample(): string[] {
  const index = buildCrawlerIndex(ranges);
  if (!index.ok) throw new Error(index.error);
  const all = [...new Set((crawlers as readonly { instances: string[] }[]).flatMap((c) => c.instances))].filter((ua) => {
    const kind = classifyDeclaredBot(ua)?.kind;
    return kind !== "link-preview" && verifyCrawler("203.0.113.1", ua, index.value) === null;
  });
  const step = Math.max(1, Math.floor(all.length / SAMPLE_MIN / 2)); // about twice the minimum
  return all.filter((_, i) => i % step === 0);
}

beforeAll(async () => {
  stack = await startTestStack({ onOriginRequest: origin.record, vars: FAST_TARPIT });
  work = await mkdtemp(join(tmpdir(), "edge-guard-declared-"));
});

afterAll(async () => {
  for (const proxy of proxies) await proxy.close();
  await stack?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("declared automation is never a human", () => {
  it("gives each crawler User-Agent of the public list at most one real page from a datacenter", async () => {
    const sample = crawlerSample();
    expect(sample.length).toBeGreaterThanOrEqual(SAMPLE_MIN);
    const ipOf = (i: number) => `198.${18 + (i >> 8)}.${i & 255}.9`; // a /24 each: prefix counters must not mix them
    await bounded(sample, CONCURRENCY, async (ua, i) => {
      for (const path of ["/", "/page/2", "/tags"]) await page(path, ipOf(i), ua, { "x-dev-cf": AWS });
    });
    const served = sample.map((_, i) => origin.pages(ipOf(i)) ?? 0);
    const tally = { uas: sample.length, none: served.filter((n) => n === 0).length, one: served.filter((n) => n === 1).length };
    console.log(JSON.stringify({ msg: "declared bots, real pages of 3 asked", ...tally }));
    expect(sample.filter((_, i) => (served[i] ?? 0) > 1)).toEqual([]);
    // Most get their one page: the budget, not a blanket block, is what holds them.
    expect(tally.one).toBeGreaterThan(sample.length / 2);
  }, 300_000);
});

describe("good bots keep working", () => {
  it.each([
    ["Googlebot", GOOGLEBOT_UA, GOOGLE_IP],
    ["Bingbot", BINGBOT_UA, BING_IP],
    ["the Internet Archive", ARCHIVE_UA, ARCHIVE_IP],
  ])("%s, verified by its published ranges, crawls real pages", async (_name, ua, ip) => {
    for (let i = 0; i < 15; i++) await page(i === 0 ? "/" : `/page/${i + 1}`, ip, ua);
    expect(origin.pages(ip)).toBeGreaterThanOrEqual(Math.ceil(15 * 0.95));
  });

  it.each([
    ["Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "203.0.113.61"],
    ["Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", "203.0.113.62"],
    ["facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "203.0.113.63"],
  ])("the link preview %s gets the shared page from a datacenter", async (ua, ip) => {
    expect(await page("/page/3", ip, ua, { "x-dev-cf": AWS })).toBe(200);
    expect(origin.pages(ip)).toBe(1);
  });

  it("one Slack address previews ten different links", async () => {
    const ip = "203.0.113.64";
    for (let i = 0; i < 10; i++)
      await page(`/page/${i + 2}`, ip, "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", { "x-dev-cf": AWS });
    expect(origin.pages(ip)).toBeGreaterThanOrEqual(10);
  });

  it("feedparser fetches the feed again and again", async () => {
    const ip = "203.0.113.71";
    const proxy = await startClientProxy(ip, { "x-dev-cf": AWS });
    proxies.push(proxy);
    for (let i = 0; i < 6; i++) {
      const { status, entries } = await feedparserPoll(`${stack.edgeUrl}/feed.xml`, { proxy: proxy.url, check: true });
      expect(status).toBe(200);
      expect(entries).toBeGreaterThanOrEqual(10);
    }
    expect(origin.feeds(ip)).toBeGreaterThanOrEqual(6);
  });

  it("newsboat reloads the feed again and again", async () => {
    const ip = "203.0.113.72";
    const proxy = await startClientProxy(ip, { "x-dev-cf": AWS });
    proxies.push(proxy);
    const env = { ...process.env, http_proxy: proxy.url, HTTP_PROXY: proxy.url, no_proxy: "", NO_PROXY: "", HOME: work };
    const urls = join(work, "urls");
    await writeFile(urls, `${stack.edgeUrl}/feed.xml\n`);
    const args = ["-u", urls, "-c", join(work, "cache.db"), "-C", join(work, "config")];
    await writeFile(join(work, "config"), "reload-threads 1\n");
    for (let i = 0; i < 6; i++) await run("newsboat", [...args, "-x", "reload"], { env, timeout: 30_000 });
    const { stdout } = await run("newsboat", [...args, "-x", "print-unread"], { env, timeout: 30_000 });
    expect(Number(/^(\d+)/.exec(stdout.trim())?.[1] ?? 0)).toBeGreaterThanOrEqual(10);
    expect(origin.feeds(ip)).toBeGreaterThanOrEqual(6);
  });
});
