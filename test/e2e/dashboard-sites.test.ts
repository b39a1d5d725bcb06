import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn } from "../support/admin-sign-in";
import type { Stack } from "../../dev/stack";
import { startTestStack } from "../support/test-stack";
import { launchChromium } from "../support/chromium";
import { visitSite } from "../support/site-visit";

/**
 * The site switcher and per-site roles in a real Chromium against the real stack (two demo sites): an operator of
 * the blog sees the blog only, in every page and list; an admin switches between sites and sees them all.
 */
const GPTBOT_UA = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)";
const BLOG_IP = "198.51.100.121";
const FORGE_IP = "198.51.100.122";
const PASSWORD = "blog operator password 1";

let stack: Stack;
let browser: Browser | undefined;
let blogTotp = "";

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = { authorization: `Bearer ${stack.secrets.ADMIN_DEV_TOKEN}`, "content-type": "application/json" };
  return fetch(`${stack.adminUrl}${path}`, { ...init, headers });
}

async function signedInPage(name: string, password: string, secret: string): Promise<Page> {
  if (browser === undefined) throw new Error("no browser");
  const page = await (await browser.newContext()).newPage();
  await signIn(page, stack.adminUrl, { name, password, totpSecret: secret });
  return page;
}

beforeAll(async () => {
  stack = await startTestStack();
  const gptbot = { "user-agent": GPTBOT_UA, accept: "text/html" };
  // One AI crawler on each demo site; escalation records each decision under its site.
  await visitSite(stack.edgeUrl, "blog.localhost", "/articles/a", BLOG_IP, gptbot);
  await visitSite(stack.edgeUrl, "forge.localhost", "/articles/b", FORGE_IP, gptbot);
  for (let tries = 0; ; tries++) {
    const ips = await Promise.all(
      ["blog", "forge"].map(async (site) => {
        const page = (await (await api(`/api/decisions?site=${site}`)).json()) as { decisions: { ip: string }[] };
        return page.decisions.map((d) => d.ip);
      }),
    );
    if (ips[0]?.includes(BLOG_IP) && ips[1]?.includes(FORGE_IP)) break;
    if (tries > 60) throw new Error(`decisions never recorded per site: ${JSON.stringify(ips)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const created = await api("/api/users", {
    method: "POST",
    body: JSON.stringify({ name: "blog-operator", role: "operator", sites: ["blog"], password: PASSWORD }),
  });
  expect(created.status, await created.clone().text()).toBe(201);
  blogTotp = ((await created.json()) as { totpSecret: string }).totpSecret;
  browser = await launchChromium({ person: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("the dashboard per site", () => {
  it("shows an operator of the blog the blog only: no switcher, no other site in pages or lists", async () => {
    const page = await signedInPage("blog-operator", PASSWORD, blogTotp);
    expect(await page.locator("body").getAttribute("data-site")).toBe("blog");
    expect(await page.locator("#site-switcher").count()).toBe(0);
    await page.goto(`${stack.adminUrl}/decisions`);
    await expect.poll(() => page.locator("main").innerText(), { timeout: 15_000 }).toContain(BLOG_IP);
    expect(await page.locator("main").innerText()).not.toContain(FORGE_IP);
    // Asking for the forge by URL shows the blog still, and the API refuses the forge outright.
    await page.goto(`${stack.adminUrl}/decisions?site=forge`);
    expect(await page.locator("body").getAttribute("data-site")).toBe("blog");
    await expect.poll(() => page.locator("main").innerText(), { timeout: 15_000 }).toContain(BLOG_IP);
    const html = await page.content();
    expect(html).not.toContain(FORGE_IP);
    expect(html).not.toContain("Demo forge");
    const refused = await page.evaluate(async () => (await fetch("/api/decisions?site=forge", { credentials: "same-origin" })).status);
    expect(refused).toBe(403);
    const sites = await page.evaluate(async () => (await (await fetch("/api/sites", { credentials: "same-origin" })).json()) as unknown);
    expect(sites).toEqual({ sites: [{ id: "blog", name: "Demo blog", hostnames: ["blog.localhost"] }] });
  }, 60_000);

  it("lets an admin switch sites, keeps the site on navigation, and shows every site's totals", async () => {
    const page = await signedInPage("admin", stack.secrets.ADMIN_DEV_PASSWORD, stack.secrets.ADMIN_DEV_TOTP);
    const options = await page.locator("#site-switcher option").allInnerTexts();
    expect(options).toEqual(["Default site", "Demo blog", "Demo forge"]);
    await expect.poll(() => page.locator("#all-sites [data-site-row]").count(), { timeout: 15_000 }).toBe(3);
    await page.selectOption("#site-switcher", "forge");
    await page.waitForURL((url) => url.searchParams.get("site") === "forge");
    await page.getByRole("link", { name: "Decisions", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/decisions" && url.searchParams.get("site") === "forge");
    await expect.poll(() => page.locator("main").innerText(), { timeout: 15_000 }).toContain(FORGE_IP);
    expect(await page.locator("main").innerText()).not.toContain(BLOG_IP);
  }, 60_000);
});
