import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "../../dev/stack";
import { startTestStack } from "../support/test-stack";
import { collectProblems, launchChromium } from "../support/chromium";

/**
 * Pay-per-crawl accounts on the real stack: an account set up in admin reaches edge-guard's CrawlerAccount object, a
 * top-up leaves its outbox on an alarm, crosses the reports Queue to escalation and lands in Postgres, and the
 * operator sees and approves it on the Accounts page in a real Chromium.
 */
const GPTBOT_UA = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)";
const CRAWLER_IP = "198.51.100.141";
const THUMBPRINT = "e2eLedgerKey000000000000000000000000000000A";
const DIRECTORY = "https://e2e-crawler.example";

let stack: Stack;
let browser: Browser | undefined;
let page: Page;
const problems: string[] = [];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The admin API as the dev token (admin role). */
async function api(path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${stack.adminUrl}${path}`, {
    method: init.method ?? "GET",
    headers: { authorization: `Bearer ${stack.secrets.ADMIN_DEV_TOKEN}`, "content-type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  stack = await startTestStack();
  browser = await launchChromium({ person: false });
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  // The dev token on every request the page makes: pages and API calls authenticate as the dev admin.
  await context.setExtraHTTPHeaders({ authorization: `Bearer ${stack.secrets.ADMIN_DEV_TOKEN}` });
  page = await context.newPage();
  collectProblems(page, problems);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("crawler accounts end to end", () => {
  it("writes a top-up from the account's outbox to the Postgres ledger through the reports queue", async () => {
    const created = await api("/api/accounts", {
      method: "POST",
      body: { thumbprint: THUMBPRINT, directory: DIRECTORY, name: "E2E Crawler", state: "pending", prepaid: true },
    });
    expect(created.status).toBe(201);
    const credited = await api(`/api/accounts/${THUMBPRINT}/top-ups`, {
      method: "POST",
      body: { micros: 5_000_000, reference: "e2e-wire-1" },
    });
    expect(credited.body).toEqual({ credited: true, balanceMicros: 5_000_000 });

    // The outbox waits OUTBOX_FLUSH_DELAY_MS (5 s), then the queue batches for up to a second.
    let entries: { key: string; kind: string; micros: number }[] = [];
    for (let i = 0; i < 60 && entries.length === 0; i++) {
      await sleep(500);
      entries = ((await api(`/api/ledger?account=${THUMBPRINT}`)).body as { entries: typeof entries }).entries;
    }
    expect(entries).toEqual([expect.objectContaining({ key: "manual:e2e-wire-1", kind: "topup", micros: 5_000_000 })]);
  });

  it("shows the account on the Accounts page, and approves it from there", async () => {
    await page.goto(`${stack.adminUrl}/accounts`);
    const row = page.locator(`#accounts-table tr[data-thumbprint="${THUMBPRINT}"]`);
    await row.waitFor();
    await expect.poll(() => row.locator(".badge").textContent()).toBe("pending");
    expect(await row.locator("[data-balance]").textContent()).toBe("$5.00");
    await row.getByRole("button", { name: "Approve" }).click();
    await expect.poll(() => row.locator(".badge").textContent()).toBe("active");
    expect(((await api(`/api/accounts/${THUMBPRINT}`)).body as { state: string }).state).toBe("active");
    await expect.poll(() => page.locator("#ledger-table tbody tr").count()).toBeGreaterThan(0);
    expect(await page.locator("#ledger-table").textContent()).toContain("topup");
    expect(problems).toEqual([]);
  });

  it("prices last week's crawler traffic in the policy editor's preview", async () => {
    // A declared AI crawler reads three articles; escalation records the decisions.
    for (const path of ["/articles/france", "/articles/spain", "/articles/chile"]) {
      const response = await fetch(`${stack.edgeUrl}${path}`, {
        headers: { "user-agent": GPTBOT_UA, accept: "text/html", "cf-connecting-ip": CRAWLER_IP },
      });
      await response.body?.cancel();
    }
    for (let i = 0; i < 60; i++) {
      const found = ((await api(`/api/decisions?limit=10&ip=${CRAWLER_IP}`)).body as { decisions: unknown[] }).decisions.length;
      if (found >= 3) break;
      await sleep(500);
    }
    await page.goto(`${stack.adminUrl}/policy`);
    const editor = page.locator("#policy-text");
    await expect.poll(async () => (await editor.inputValue()).length).toBeGreaterThan(10);
    const policy = JSON.parse(await editor.inputValue()) as Record<string, unknown>;
    await editor.fill(JSON.stringify({ ...policy, payPerCrawl: { prices: [{ path: "/articles/*", price: "USD 0.01" }] } }, null, 2));
    await page.locator("#btn-preview").click();
    const estimate = page.locator("#price-preview");
    await estimate.waitFor();
    expect(await estimate.textContent()).toMatch(
      /These prices would have earned \$0\.0[3-9] from last week's crawlers \([3-9] of [3-9]\d* crawler requests/,
    );
    expect(problems).toEqual([]);
  });
});
