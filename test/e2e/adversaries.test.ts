import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "../../dev/stack";
import { startTestStack } from "../support/test-stack";
import { CHROME_NAVIGATION_HEADERS } from "../support/browser-headers";
import { desktopChromeUa, launchChromium } from "../support/chromium";
import { OriginPages } from "../support/origin-pages";
import { browseAsFastAsItCan, clientContext, requestsFleetRun } from "../support/real-clients";

/**
 * Crawlers that look like browsers, against the real dev stack, each with identities of its own: headless
 * Chromium (default and disguised User-Agent), a python-requests fleet in Chrome's headers over rotating
 * residential addresses, a no-JS pass farmer. And the people who must keep reading: Chromium with and without
 * JavaScript from the same kind of network. Real pages are counted where they are served: at the demo origin.
 */
const run = promisify(execFile);
/** Amazon's AS16509: a hosting network (core/signals/network.ts). */
const CLOUD = JSON.stringify({ asn: 16509, asOrganization: "Amazon.com", country: "US", httpProtocol: "HTTP/2", tlsVersion: "TLSv1.3" });
/** Twenty residential access networks (cable, DSL, mobile), none of them hosting. */
const RESIDENTIAL_ASNS = [
  7922, 3320, 701, 7018, 20115, 5089, 3215, 12322, 3269, 6830, 2856, 1136, 8452, 4766, 9299, 17676, 4134, 22773, 5650, 812,
];

let stack: Stack;
/** Real HTML pages the origin served: per client address, and the fleet's request numbers. */
const origin = new OriginPages();
const fleetPagesAt: number[] = [];
origin.onPage((req) => {
  const seq = req.headers["x-test-seq"];
  if (typeof seq === "string") fleetPagesAt.push(Number(seq));
});
const served = (ips: readonly string[]): number => origin.pages(ips);
/** One line per attacker with the real pages it got: the figures the README's "What stops whom" quotes. */
const measured = (attacker: string, figures: Record<string, number>): void =>
  console.log(JSON.stringify({ msg: "adversary", attacker, ...figures }));

function launch(options: { person: boolean }): Promise<Browser> {
  return launchChromium(options);
}

/** Article links on the page the browser shows now. */
async function articleLinks(context: BrowserContext, url: string): Promise<string[]> {
  const page = await context.newPage();
  try {
    await page.goto(url);
    return await page.$$eval("a[href^='/articles/']", (as) => as.map((a) => a.getAttribute("href") ?? ""));
  } finally {
    await page.close();
  }
}

beforeAll(async () => {
  // The labyrinth at full speed (slow streaming off): these tests count real pages, and the fleet follows every
  // link, the labyrinth's fake downloads included, which would otherwise trickle for up to 30 s each.
  stack = await startTestStack({ onOriginRequest: origin.record, vars: { "edge-guard-tarpit": { STREAM_DELAY_MS: "0" } } });
});

afterAll(async () => {
  if (process.env.E2E_DEBUG) console.log(origin.summary());
  await stack?.stop();
});

describe("headless Chromium from a cloud network, 60 pages as fast as it can", () => {
  async function scrape(ip: string, disguised: boolean): Promise<number> {
    const browser = await launch({ person: false });
    try {
      const context = await clientContext(browser, ip, CLOUD, disguised ? { userAgent: await desktopChromeUa(browser) } : {});
      const visits = 60;
      await browseAsFastAsItCan(await context.newPage(), stack.edgeUrl, { start: ["/", "/page/2", "/page/3", "/tags"], visits });
      measured(`headless Chromium${disguised ? " (desktop UA)" : ""}`, { realPages: served([ip]), visits });
      return served([ip]);
    } finally {
      await browser.close();
    }
  }

  it("with its default HeadlessChrome User-Agent gets at most 5 real pages", async () => {
    expect(await scrape("198.18.101.7", false)).toBeLessThanOrEqual(5);
  });

  it("disguised as desktop Chrome gets at most 5 real pages: the solved challenge shows the automation", async () => {
    expect(await scrape("198.18.102.7", true)).toBeLessThanOrEqual(5);
    // Labelled: the blocklist holds an entry for it (the edge's automation label, or escalation's block that
    // followed from it), and the decisions carry the reason for the operator.
    const entry = await (await stack.miniflare.getKVNamespace("BLOCKLIST", "edge-guard")).get("ip:198.18.102.7", "json");
    expect(entry).toMatchObject({ action: expect.stringMatching(/^(?:tarpit|block)$/) });
  });
});

describe("a python-requests fleet in desktop Chrome's headers, 50 residential addresses in 20 networks", () => {
  it("reads at most 20 real pages after its first 50 requests, following every link, hidden ones too", async () => {
    const identities = Array.from({ length: 50 }, (_, i) => ({
      ip: `24.${30 + i}.${(i * 7) % 250}.${10 + i}`,
      cf: JSON.stringify({ asn: RESIDENTIAL_ASNS[i % RESIDENTIAL_ASNS.length], httpProtocol: "HTTP/2", tlsVersion: "TLSv1.3" }),
    }));
    const requests = await requestsFleetRun(stack.edgeUrl, {
      headers: CHROME_NAVIGATION_HEADERS,
      identities,
      start: "/",
      limit: 400,
      seqHeader: true,
      timeoutMs: 170_000,
      check: true,
    });
    expect(requests).toBe(400);
    const early = fleetPagesAt.filter((seq) => seq < 50).length;
    const late = fleetPagesAt.filter((seq) => seq >= 50).length;
    measured("requests fleet", { first50: early, after50: late, requests: 400 });
    // It did read real pages at first (so counting works), then the group was challenged.
    expect(early).toBeGreaterThan(10);
    expect(late).toBeLessThanOrEqual(20);
    const index = (await (await stack.miniflare.getKVNamespace("BLOCKLIST", "edge-guard")).get("fleet:index", "json")) as {
      groups: Array<{ addresses: number; members: string[] }>;
    } | null;
    expect(index?.groups.length).toBeGreaterThan(0);
    expect(index?.groups[0]?.addresses).toBeGreaterThanOrEqual(3);
  }, 180_000);
});

describe("a script farming no-JS passes from 20 addresses of a cloud network", () => {
  it("reads at most 20 real pages in total", async () => {
    const ips = Array.from({ length: 20 }, (_, i) => `198.18.${110 + i}.9`);
    const script = `import json, re, sys, time, requests
from concurrent.futures import ThreadPoolExecutor
base, headers, ips, cf = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
def farm(ip):
    s = requests.Session()
    s.headers.update(headers); s.headers["cf-connecting-ip"] = ip; s.headers["x-dev-cf"] = cf
    page = s.get(base + "/page/2", timeout=30)
    ticket = re.search(r'action="/.well-known/edge-guard/verify-nojs">.*?name="ticket" value="([^"]+)"', page.text, re.S)
    if not ticket: return (0, 0)
    time.sleep(5.5)
    r = s.post(base + "/.well-known/edge-guard/verify-nojs", data={"ticket": ticket.group(1)}, timeout=30, allow_redirects=False)
    if "eg_pass" not in r.headers.get("set-cookie", ""): return (0, 0)
    got = 0
    for i in range(20):
        r = s.get(base + "/page/%d" % (i + 3), timeout=30)
        got += r.status_code == 200 and "eg-form" not in r.text
    return (1, got)
with ThreadPoolExecutor(max_workers=10) as pool:
    results = list(pool.map(farm, ips))
print(sum(p for p, _ in results), sum(g for _, g in results))`;
    // A header set of its own (not the fleet's above, whose group is flagged by now).
    const headers = { ...CHROME_NAVIGATION_HEADERS, "accept-language": "en-GB,en;q=0.8" };
    const { stdout } = await run("/usr/bin/python3", ["-c", script, stack.edgeUrl, JSON.stringify(headers), JSON.stringify(ips), CLOUD], {
      timeout: 170_000,
    });
    const [passes = -1] = stdout.trim().split(" ").map(Number);
    measured("no-JS farmer", { passes, realPages: served(ips) });
    // The farm works as a farm: the challenge came, the form was found, and some passes were issued...
    expect(passes).toBeGreaterThan(0);
    // ...but no more than the group's no-JS budget, each with a small page budget.
    expect(passes).toBeLessThanOrEqual(2);
    expect(served(ips)).toBeGreaterThan(0);
    expect(served(ips)).toBeLessThanOrEqual(20);
  }, 180_000);
});

describe("people from the same kind of network keep reading", () => {
  it("a person in Chromium meets the challenge once and then reads every page at a reading pace", async () => {
    const ip = "198.18.140.23";
    const browser = await launch({ person: true });
    try {
      const context = await clientContext(browser, ip, CLOUD, { userAgent: await desktopChromeUa(browser) });
      const page = await context.newPage();
      const first = await page.goto(`${stack.edgeUrl}/page/3`);
      expect(first?.status()).toBe(503); // the challenge, not the page
      await page.waitForSelector("main a[href^='/articles/']", { timeout: 60_000 });
      const links = await page.$$eval("main a[href^='/articles/']", (as) => as.map((a) => a.getAttribute("href") ?? ""));
      let real = 0;
      for (const link of links.slice(0, 10)) {
        await page.waitForTimeout(2_500); // reading
        const response = await page.goto(`${stack.edgeUrl}${link}`);
        if (response?.status() === 200 && (await page.$("#eg-form")) === null) real++;
        else if (process.env.E2E_DEBUG) console.log("person", link, response?.status(), (await page.content()).slice(0, 600));
      }
      expect(links.length).toBeGreaterThanOrEqual(10);
      expect(real).toBe(10);
      expect(served([ip])).toBe(11);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it("Chromium with JavaScript disabled passes the no-JS form and reads its pages", async () => {
    const ip = "198.18.141.23";
    const browser = await launch({ person: true });
    try {
      const context = await clientContext(browser, ip, CLOUD, { userAgent: await desktopChromeUa(browser), javaScriptEnabled: false });
      const page = await context.newPage();
      expect((await page.goto(`${stack.edgeUrl}/page/4`))?.status()).toBe(503);
      await page.waitForTimeout(5_500); // the form asks for a few seconds
      await page.click("form[action$='verify-nojs'] button");
      await page.waitForSelector("main a[href^='/articles/']", { timeout: 30_000 }).catch(async (error: unknown) => {
        throw new Error(`no real page after the no-JS form: ${page.url()} ${(await page.content()).slice(0, 800)}`, { cause: error });
      });
      const links = await page.$$eval("main a[href^='/articles/']", (as) => as.map((a) => a.getAttribute("href") ?? ""));
      const statuses: number[] = [];
      for (const link of links.slice(0, 8)) {
        await page.waitForTimeout(2_000);
        statuses.push((await page.goto(`${stack.edgeUrl}${link}`))?.status() ?? 0);
      }
      const entry = await (await stack.miniflare.getKVNamespace("BLOCKLIST", "edge-guard")).get(`ip:${ip}`);
      // On failure, the operator's view of why: the decisions that sent it to the labyrinth.
      const decisions =
        entry === null
          ? ""
          : await (
              await fetch(`${stack.adminUrl}/api/decisions?ip=${ip}&action=tarpit`, {
                headers: { authorization: `Bearer ${stack.secrets.ADMIN_DEV_TOKEN}` },
              })
            ).text();
      expect(statuses, `blocklist entry: ${entry} ${decisions.slice(0, 3000)}`).toEqual(Array(8).fill(200));
    } finally {
      await browser.close();
    }
  }, 120_000);

  it("reads the article list without a challenge from a home network (no bot evidence at all)", async () => {
    const links = await (async () => {
      const browser = await launch({ person: true });
      try {
        return await articleLinks(
          await clientContext(browser, "24.200.1.5", JSON.stringify({ asn: 7922 }), { userAgent: await desktopChromeUa(browser) }),
          `${stack.edgeUrl}/`,
        );
      } finally {
        await browser.close();
      }
    })();
    expect(links.length).toBeGreaterThan(5);
    expect(served(["24.200.1.5"])).toBe(1);
  }, 60_000);
});
