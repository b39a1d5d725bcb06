/**
 * Real clients, driven against a running stack (dev/stack.ts) under an identity of their own: the traffic lab
 * (scripts/lab/) runs them by kind. Each driver takes its choices (pages, pacing, User-Agent, network) from the
 * `LabRandom` it is given, so a seed fixes what it asks for; what the edge answers is the stack's business.
 * Tools reach the edge through a loopback proxy that stamps the client address (test/support/client-proxy.ts).
 */
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { CHROME_NAVIGATION_HEADERS } from "./browser-headers";
import { desktopChromeUa, launchChromium } from "./chromium";
import { startClientProxy } from "./client-proxy";

const run = promisify(execFile);
const PYTHON = "/usr/bin/python3";

/** The few random choices a driver makes (scripts/model/seeded-random.ts's SeededRandom fits). */
export interface LabRandom {
  next(): number;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** Where and as whom a client runs. */
export interface ClientRun {
  readonly edgeUrl: string;
  /** The client's addresses (most kinds use one; a fleet rotates over all). */
  readonly ips: readonly string[];
  /** `request.cf` the dev edge applies (X-Dev-Cf): network and protocol. */
  readonly cf: Readonly<Record<string, string | number>>;
  /** A scratch folder of this client's own (wget, HTTrack and Scrapy write there). */
  readonly work: string;
  readonly random: LabRandom;
  /** Pages to aim for (tools with their own crawl loop stop at their own limits). */
  readonly pages: number;
  /** Scales people's reading pauses (1 = a reading pace of 2–9 s a page; the quick lab uses less). */
  readonly pace: number;
}

/** A driver: runs one client to its end; never throws for what the edge answered (a refusal is data). */
export type ClientDriver = (run: ClientRun) => Promise<void>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const ip0 = (r: ClientRun): string => r.ips[0] ?? "192.0.2.1";
const cfHeader = (r: ClientRun): string => JSON.stringify(r.cf);
/** A person's pause on a page, ms: mostly a few seconds, sometimes longer. */
const readingPause = (r: ClientRun): number =>
  Math.round(r.pace * (r.random.chance(0.2) ? r.random.int(6_000, 9_000) : r.random.int(2_000, 5_000)));

async function withProxy<T>(r: ClientRun, fn: (proxy: string) => Promise<T>): Promise<T> {
  const proxy = await startClientProxy(ip0(r), { "x-dev-cf": cfHeader(r) });
  try {
    return await fn(proxy.url);
  } finally {
    await proxy.close();
  }
}

const toolEnv = (proxy: string) => ({ ...process.env, http_proxy: proxy, HTTP_PROXY: proxy, no_proxy: "", NO_PROXY: "" });

/** How a tool runs: through a client proxy (`proxy`), and whether a non-zero exit throws (`check`, for tests). */
export interface ToolOptions {
  /** The client proxy's URL (startClientProxy), set as http_proxy. */
  readonly proxy?: string;
  /** Throw on a non-zero exit or a crash; by default the exit code is not the lab's business. */
  readonly check?: boolean;
}

/** Runs a tool; unless `check`, its exit code is ignored (wget and HTTrack exit non-zero on error answers). */
const tool = (
  file: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeout: number; check?: boolean },
): Promise<{ stdout: string }> => {
  const { check = false, ...execOptions } = options;
  const running = run(file, [...args], execOptions);
  return check ? running : running.catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }));
};
const proxiedEnv = (options: ToolOptions) => (options.proxy === undefined ? undefined : toolEnv(options.proxy));

/** lynx's text dump of one page (its links listed as absolute URLs at the end). */
export async function lynxDump(url: string, options: ToolOptions & { timeoutMs?: number } = {}): Promise<string> {
  const { stdout } = await tool("lynx", ["-dump", "-accept_all_cookies", url], {
    env: proxiedEnv(options),
    timeout: options.timeoutMs ?? 30_000,
    check: options.check,
  });
  return stdout;
}

/** One poll of a feed by Python feedparser (its own User-Agent unless `agent`): the HTTP status (0: none) and entries. */
export async function feedparserPoll(
  feedUrl: string,
  options: ToolOptions & { agent?: string | null } = {},
): Promise<{ status: number; entries: number }> {
  const agent = options.agent ?? null;
  const script = `import feedparser, sys\nf = feedparser.parse(sys.argv[1]${agent === null ? "" : ", agent=sys.argv[2]"})\nprint(getattr(f, "status", 0), len(f.entries))`;
  const { stdout } = await tool(PYTHON, ["-c", script, feedUrl, ...(agent === null ? [] : [agent])], {
    env: proxiedEnv(options),
    timeout: 30_000,
    check: options.check,
  });
  const [status = "0", entries = "0"] = stdout.trim().split(" ");
  return { status: Number(status), entries: Number(entries) };
}

/** curl's body of one page (no redirects followed). */
export async function curlGet(url: string, options: ToolOptions = {}): Promise<string> {
  const { stdout } = await tool("curl", ["-s", "-m", "30", url], { env: proxiedEnv(options), timeout: 35_000, check: options.check });
  return stdout;
}

/** wget --recursive, robots.txt ignored, into `dir`: to `depth` links deep, `quota` (wget's -Q: "2m"), optionally with random waits. */
export async function wgetMirror(
  url: string,
  options: ToolOptions & { dir: string; depth: number; quota: string; randomWait?: boolean; timeoutMs: number },
): Promise<void> {
  const args = ["-r", "-l", String(options.depth), "-q", "-e", "robots=off", "--tries=1", "-T", "10", "-Q", options.quota];
  if (options.randomWait === true) args.push("-w", "1", "--random-wait");
  await tool("wget", [...args, "-P", options.dir, url], { env: proxiedEnv(options), timeout: options.timeoutMs, check: options.check });
}

/**
 * python-requests following links breadth-first from `start`, up to `limit` distinct pages. Returns the pages it
 * asked for and the requests that raised; with `check`, the first request that raises ends the script with an error.
 */
export async function requestsCrawl(
  base: string,
  options: ToolOptions & { start: string; limit: number; timeoutMs: number },
): Promise<{ pages: number; errors: number }> {
  const script = `import re, sys, requests
base, limit, strict = sys.argv[1], int(sys.argv[3]), sys.argv[4] == "1"; todo = [sys.argv[2]]; seen = set(); errors = 0
while todo and len(seen) < limit:
    path = todo.pop(0)
    if path in seen: continue
    seen.add(path)
    try: html = requests.get(base + path, timeout=10).text
    except Exception:
        if strict: raise
        errors += 1; continue
    todo += re.findall(r'href="(/(?:articles|tags|page)/[a-z0-9-]+)"', html)
print(len(seen), errors)`;
  const { stdout } = await tool(PYTHON, ["-c", script, base, options.start, String(options.limit), options.check === true ? "1" : "0"], {
    env: proxiedEnv(options),
    timeout: options.timeoutMs,
    check: options.check,
  });
  const [pages = "0", errors = "0"] = stdout.trim().split(" ");
  return { pages: Number(pages), errors: Number(errors) };
}

/** Scrapy with its default settings (16 requests in flight) from `start`, stopped after `pages` pages; writes its spider to `work`. */
export async function scrapyRun(start: string, options: ToolOptions & { work: string; pages: number; timeoutMs: number }): Promise<void> {
  const spider = join(options.work, "spider.py");
  await writeFile(
    spider,
    `import scrapy
class Site(scrapy.Spider):
    name = "site"
    custom_settings = {"CLOSESPIDER_PAGECOUNT": ${options.pages}, "LOG_LEVEL": "ERROR", "HTTPERROR_ALLOW_ALL": True}
    def start_requests(self):
        yield scrapy.Request(self.start)
    def parse(self, response):
        for href in response.css("a::attr(href)").getall():
            if href.startswith(("/articles/", "/tags/", "/page/")):
                yield response.follow(href, self.parse)
`,
  );
  await tool("scrapy", ["runspider", spider, "-a", `start=${start}`], {
    env: proxiedEnv(options),
    cwd: options.work,
    timeout: options.timeoutMs,
    check: options.check,
  });
}

/** HTTrack mirroring `url` into `dir` through `proxy` (its own -P option: it ignores http_proxy), `depth` deep, for at most `maxSeconds`. */
export async function httrackRun(
  url: string,
  options: { proxy: string; dir: string; depth: number; maxSeconds: number; timeoutMs: number },
): Promise<void> {
  const { hostname, port } = new URL(options.proxy);
  await tool(
    "httrack",
    [url, "-O", options.dir, "-P", `${hostname}:${port}`, `-r${options.depth}`, `-E${options.maxSeconds}`, "-%v0", "-q"],
    {
      timeout: options.timeoutMs,
    },
  );
}

const LINK = /href="(\/(?:articles|tags|page)\/[a-z0-9-]+)"/g;
const linksIn = (html: string): string[] => [...html.matchAll(LINK)].map((m) => m[1] ?? "/");

/** A start page a visitor might arrive on. */
const entryPath = (r: ClientRun): string => r.random.pick(["/", "/", "/page/2", "/tags", `/page/${r.random.int(3, 9)}`]);

/**
 * A browser context that reaches the dev edge as `ip` from the network `cf` (X-Dev-Cf, JSON), with the browser's
 * own User-Agent unless `init` gives one.
 */
export function clientContext(
  browser: Browser,
  ip: string,
  cf: string,
  init: { userAgent?: string; javaScriptEnabled?: boolean } = {},
): Promise<BrowserContext> {
  return browser.newContext({ ...init, extraHTTPHeaders: { "cf-connecting-ip": ip, "x-dev-cf": cf } });
}

/** Chromium as a person: not automation-controlled, loads every subresource, reads each page before the next click. */
export const personInChromium: ClientDriver = async (r) => {
  let browser: Browser | undefined;
  try {
    browser = await launchChromium({ person: true });
    const context = await clientContext(browser, ip0(r), cfHeader(r), {
      userAgent: await desktopChromeUa(browser),
      javaScriptEnabled: !r.random.chance(0.1),
    });
    const page = await context.newPage();
    await page.goto(`${r.edgeUrl}${entryPath(r)}`, { timeout: 30_000 }).catch(() => undefined);
    // A challenge solves itself (JavaScript) or waits for the person's click (no JavaScript).
    const ready = await page.waitForSelector("main a[href^='/articles/']", { timeout: 20_000 }).catch(() => null);
    if (ready === null && (await page.$("form[action$='verify-nojs'] button")) !== null) {
      await sleep(5_500);
      await page.click("form[action$='verify-nojs'] button").catch(() => undefined);
      await page.waitForSelector("main a[href^='/articles/']", { timeout: 20_000 }).catch(() => null);
    }
    for (let i = 1; i < r.pages; i++) {
      await sleep(readingPause(r));
      const links = await page.$$eval("main a[href^='/']", (as) => as.map((a) => a.getAttribute("href") ?? "")).catch(() => [] as string[]);
      const next = links.filter((l) => /^\/(?:articles|tags|page)\//.test(l));
      if (next.length === 0) await page.goto(`${r.edgeUrl}/`, { timeout: 30_000 }).catch(() => undefined);
      else await page.goto(`${r.edgeUrl}${r.random.pick(next)}`, { timeout: 30_000 }).catch(() => undefined);
      await page.waitForLoadState("load").catch(() => undefined);
    }
  } finally {
    await browser?.close();
  }
};

/** lynx as a person: text only, no subresources, a pause on each page. */
export const personInLynx: ClientDriver = (r) =>
  withProxy(r, async (proxy) => {
    let path = entryPath(r);
    for (let i = 0; i < r.pages; i++) {
      const stdout = await lynxDump(`${r.edgeUrl}${path}`, { proxy });
      const links = [...stdout.matchAll(/http:\/\/127\.0\.0\.1:\d+(\/(?:articles|tags|page)\/[a-z0-9-]+)/g)].map((m) => m[1] ?? "/");
      path = links.length > 0 ? r.random.pick(links) : "/";
      if (i + 1 < r.pages) await sleep(readingPause(r));
    }
  });

const FEED_READER_AGENTS = [
  null, // feedparser's own
  "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 3 subscribers)",
  "NewsBlur Feed Fetcher - 5 subscribers - https://www.newsblur.com/site/1",
  "Tiny Tiny RSS/23.01 (https://tt-rss.org/)",
] as const;

/** A feed reader (Python feedparser) polling the feed a few times. */
export const feedReader: ClientDriver = (r) =>
  withProxy(r, async (proxy) => {
    const agent = r.random.pick(FEED_READER_AGENTS);
    const polls = Math.max(1, Math.ceil(r.pages / 4));
    for (let i = 0; i < polls; i++) {
      await feedparserPoll(`${r.edgeUrl}/feed.xml`, { proxy, agent });
      if (i + 1 < polls) await sleep(Math.round(r.pace * r.random.int(1_000, 3_000)));
    }
  });

const fetchAs = async (r: ClientRun, path: string, headers: Record<string, string>): Promise<string> => {
  try {
    const response = await fetch(`${r.edgeUrl}${path}`, {
      headers: { ...headers, "cf-connecting-ip": ip0(r), "x-dev-cf": cfHeader(r) },
      redirect: "manual",
      signal: AbortSignal.timeout(30_000),
    });
    return await response.text();
  } catch {
    return "";
  }
};

/** A crawler loop over fetch with one header set: follows links, at its own pace. */
async function crawlWith(r: ClientRun, headers: Record<string, string>, gapMs: () => number): Promise<void> {
  let path = entryPath(r);
  for (let i = 0; i < r.pages; i++) {
    const links = linksIn(await fetchAs(r, path, headers));
    path = links.length > 0 ? r.random.pick(links) : `/page/${r.random.int(2, 20)}`;
    await sleep(gapMs());
  }
}

export const GOOGLEBOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

/** A verified search crawler: Googlebot's User-Agent from Google's published ranges (the plan gives the address). */
export const verifiedCrawler: ClientDriver = (r) =>
  crawlWith(r, { "user-agent": GOOGLEBOT_UA, accept: "text/html" }, () => r.random.int(200, 1_500));

export const CLAUDEBOT_UA = "Mozilla/5.0 (compatible; ClaudeBot/1.0; +claudebot@anthropic.com)";

const AI_CRAWLER_AGENTS = [
  CLAUDEBOT_UA,
  "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
  "CCBot/2.0 (https://commoncrawl.org/faq/)",
  "Mozilla/5.0 (compatible; Bytespider; spider-feedback@bytedance.com) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.0.0 Safari/537.36",
  "Mozilla/5.0 (compatible; PerplexityBot/1.0; +https://perplexity.ai/perplexitybot)",
] as const;

/** A declared AI crawler. */
export const aiCrawler: ClientDriver = (r) =>
  crawlWith(r, { "user-agent": r.random.pick(AI_CRAWLER_AGENTS), accept: "*/*" }, () => r.random.int(0, 300));

/** curl, following the links it finds. */
export const curlFollowing: ClientDriver = (r) =>
  withProxy(r, async (proxy) => {
    let path = entryPath(r);
    for (let i = 0; i < r.pages; i++) {
      const links = linksIn(await curlGet(`${r.edgeUrl}${path}`, { proxy }));
      path = links.length > 0 ? r.random.pick(links) : "/";
      if (r.random.chance(0.3)) await sleep(r.random.int(100, 1_000));
    }
  });

/** wget --recursive with robots.txt ignored, to a depth and quota from the plan. */
export const wgetRecursive: ClientDriver = (r) =>
  withProxy(r, async (proxy) => {
    const depth = r.random.int(2, 3);
    const randomWait = r.random.chance(0.5);
    await wgetMirror(`${r.edgeUrl}${entryPath(r)}`, {
      proxy,
      dir: join(r.work, "wget"),
      depth,
      quota: "2m",
      randomWait,
      timeoutMs: 90_000,
    });
  });

/** python-requests, following links breadth-first. */
export const pythonRequests: ClientDriver = (r) =>
  withProxy(r, async (proxy) => {
    await requestsCrawl(r.edgeUrl, { proxy, start: entryPath(r), limit: r.pages, timeoutMs: 90_000 });
  });

/** Scrapy with its default settings (16 requests in flight), stopped at the plan's page count. */
export const scrapyCrawl: ClientDriver = (r) =>
  withProxy(r, async (proxy) => {
    await scrapyRun(`${r.edgeUrl}${entryPath(r)}`, { proxy, work: r.work, pages: r.pages, timeoutMs: 90_000 });
  });

/** HTTrack mirroring (several connections), to a depth from the plan. */
export const httrackMirror: ClientDriver = (r) =>
  withProxy(r, async (proxy) => {
    await httrackRun(`${r.edgeUrl}/`, {
      proxy,
      dir: join(r.work, "httrack"),
      depth: r.random.int(2, 3),
      maxSeconds: 40,
      timeoutMs: 60_000,
    });
  });

/**
 * A crawler in a browser, as fast as it can: visits `visits` distinct pages, starting with `start`, then every
 * article, page and tag link it meets (an empty queue goes on at /page/2, /page/3, ...). Waits for each load
 * event, so a challenge page solves itself and submits meanwhile, as in a real run.
 */
export async function browseAsFastAsItCan(
  page: Page,
  edgeUrl: string,
  options: { start: readonly string[]; visits: number },
): Promise<void> {
  const queue = [...options.start];
  const seen = new Set<string>();
  for (let visits = 0, fresh = 2; visits < options.visits;) {
    const next = queue.shift() ?? `/page/${fresh++}`;
    if (seen.has(next)) continue;
    seen.add(next);
    visits++;
    await page.goto(`${edgeUrl}${next}`, { timeout: 30_000 }).catch(() => undefined);
    await page.waitForLoadState("load").catch(() => undefined);
    const links = await page.$$eval("a[href^='/']", (as) => as.map((a) => a.getAttribute("href") ?? "")).catch(() => [] as string[]);
    queue.push(...links.filter((l) => /^\/(?:articles|page|tags)\//.test(l)));
  }
}

/** Playwright's default (automation-controlled) Chromium, as fast as it can, sometimes in a desktop Chrome User-Agent. */
export const headlessChromium: ClientDriver = async (r) => {
  let browser: Browser | undefined;
  try {
    browser = await launchChromium({ person: false });
    const disguised = r.random.chance(0.5);
    const context = await clientContext(browser, ip0(r), cfHeader(r), disguised ? { userAgent: await desktopChromeUa(browser) } : {});
    await browseAsFastAsItCan(await context.newPage(), r.edgeUrl, { start: [entryPath(r)], visits: r.pages });
  } finally {
    await browser?.close();
  }
};

/** One address of a fleet and the `request.cf` (X-Dev-Cf, JSON) it comes with. */
export interface FleetIdentity {
  readonly ip: string;
  readonly cf: string;
}

/**
 * A python-requests fleet sending one header set, rotating over `identities` request by request: follows every
 * link it meets (hidden ones too, no redirects), `limit` requests from `start`. With `seqHeader`, each request
 * carries its number in X-Test-Seq (for a test to see which of them the origin served). Returns the requests made.
 */
export async function requestsFleetRun(
  base: string,
  options: {
    headers: Readonly<Record<string, string>>;
    identities: readonly FleetIdentity[];
    start: string;
    limit: number;
    seqHeader?: boolean;
    timeoutMs: number;
    check?: boolean;
  },
): Promise<number> {
  const script = `import json, re, sys, requests
base, headers, ids, limit, start, seq = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6] == "1"
todo, seen, n = [start], set(), 0
while n < limit:
    path = todo.pop(0) if todo else "/page/%d" % (n % 30 + 2)
    if path in seen and todo: continue
    seen.add(path)
    ident = ids[n % len(ids)]
    h = dict(headers); h["cf-connecting-ip"] = ident["ip"]; h["x-dev-cf"] = ident["cf"]
    if seq: h["x-test-seq"] = str(n)
    n += 1
    try: html = requests.get(base + path, headers=h, timeout=30, allow_redirects=False).text
    except Exception: continue
    todo += [l for l in re.findall(r'href="(/[^"#?]*)"', html) if not l.startswith("/static/")]
print(n)`;
  const args = [base, JSON.stringify(options.headers), JSON.stringify(options.identities), String(options.limit), options.start];
  const { stdout } = await tool(PYTHON, ["-c", script, ...args, options.seqHeader === true ? "1" : "0"], {
    timeout: options.timeoutMs,
    check: options.check,
  });
  return Number(stdout.trim());
}

/** A python-requests fleet in desktop Chrome's navigation headers, rotating over the plan's addresses. */
export const requestsFleet: ClientDriver = async (r) => {
  const headers = {
    ...CHROME_NAVIGATION_HEADERS,
    "accept-language": r.random.pick(["en-US,en;q=0.9", "en-GB,en;q=0.8", "de-DE,de;q=0.9,en;q=0.6"]),
  };
  const identities = r.ips.map((ip) => ({ ip, cf: cfHeader(r) }));
  await requestsFleetRun(r.edgeUrl, { headers, identities, start: entryPath(r), limit: r.pages, timeoutMs: 120_000 });
};
