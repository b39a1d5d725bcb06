import { Pool, neonConfig } from "@neondatabase/serverless";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ws from "ws";
import { configureNeon } from "../../adapters/db/client";
import { signIn } from "../support/admin-sign-in";
import type { Stack } from "../../dev/stack";
import { startTestStack } from "../support/test-stack";
import { collectProblems, launchChromium } from "../support/chromium";

/**
 * The policy page's Suggestions in a real Chromium against the real stack: labelled decisions in Postgres (bots the
 * default policy let through), a suggestion on the page, and Apply as draft filling the editor and running the dry
 * run, with nothing published.
 */
const BOTS = 25;
const PEOPLE = 25;

let stack: Stack;
let browser: Browser | undefined;
let page: Page;
const problems: string[] = [];

/** Labelled decisions: bots with hdr-old-tls (30, under the default challenge threshold 40) before a honeypot hit; people who solved a challenge. */
async function seed(): Promise<void> {
  neonConfig.webSocketConstructor = ws;
  configureNeon(stack.neonLocalProxy);
  const pool = new Pool({ connectionString: stack.databaseUrl, max: 1 });
  const now = Date.now();
  const insert = `INSERT INTO decisions (report_id, at, source, ip, method, path, user_agent, edge_action, edge_score, reasons, verdict, label_kind, label_value)
    VALUES ($1, $2, 'edge', $3, 'GET', $4, 'Mozilla/5.0', $5, $6, $7::jsonb, 'unsure', $8, $9)`;
  try {
    for (let i = 0; i < BOTS; i++) {
      const ip = `203.0.113.${10 + i}`;
      await pool.query(insert, [
        `sg-b-${i}`,
        new Date(now - 10 * 60_000),
        ip,
        "/articles/x",
        "allow",
        30,
        '[{"code":"hdr-old-tls","weight":30}]',
        null,
        null,
      ]);
      await pool.query(insert, [
        `sg-h-${i}`,
        new Date(now - 5 * 60_000),
        ip,
        "/archive/x",
        "tarpit",
        100,
        '[{"code":"honeypot-hit","weight":100}]',
        "honeypot",
        "bot",
      ]);
    }
    for (let i = 0; i < PEOPLE; i++) {
      await pool.query(insert, [
        `sg-p-${i}`,
        new Date(now - 5 * 60_000),
        `192.0.2.${10 + i}`,
        "/",
        "allow",
        0,
        "[]",
        "challenge-solved",
        "human",
      ]);
    }
  } finally {
    await pool.end();
  }
}

beforeAll(async () => {
  stack = await startTestStack();
  await seed();
  browser = await launchChromium({ person: false });
  page = await (await browser.newContext({ viewport: { width: 1440, height: 1000 } })).newPage();
  collectProblems(page, problems);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("policy suggestions in Chromium", () => {
  it("shows a suggestion from labelled traffic, and Apply as draft fills the editor and previews it without publishing", async () => {
    await signIn(page, stack.adminUrl, {
      name: "admin",
      password: stack.secrets.ADMIN_DEV_PASSWORD,
      totpSecret: stack.secrets.ADMIN_DEV_TOTP,
    });
    await page.getByRole("link", { name: "Policy", exact: true }).click();

    const first = page.locator("#policy-suggestions tbody tr").first();
    await first.waitFor();
    const cells = await first.locator("td").allTextContents();
    expect(cells[0]).toMatch(/challenge threshold 40 → \d+/);
    expect(cells[2]).toBe(`${BOTS} → 0`); // misses before → after
    expect(cells[3]).toBe("0"); // no false alarm on people, before or after

    await first.getByRole("button", { name: "Apply as draft" }).click();
    await page.locator("#dry-run strong").waitFor();
    const draft = JSON.parse(await page.locator("#policy-text").inputValue()) as { thresholds?: { challenge: number } };
    expect(draft.thresholds?.challenge).toBeLessThanOrEqual(30);
    expect(await page.locator("#dry-run").textContent()).toContain("would come out differently");
    await page.screenshot({ path: "/tmp/dashboard-suggestions.png", fullPage: true });

    const active = await fetch(`${stack.adminUrl}/api/policy`, { headers: { authorization: `Bearer ${stack.secrets.ADMIN_DEV_TOKEN}` } });
    expect(((await active.json()) as { source: string }).source).toBe("default");
    expect(problems).toEqual([]);
  });
});
