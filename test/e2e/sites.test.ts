import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "../../dev/stack";
import { startTestStack } from "../support/test-stack";
import { RANGES_REFRESH_MS } from "../../core/range-entries";
import { visitSite, type Visit } from "../support/site-visit";

const GPTBOT_UA = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)";
const SEARCH_BOT_UA = "Mozilla/5.0 (compatible; ExampleSearchBot/1.0; +https://search.example/bot)";

let stack: Stack;

beforeAll(async () => {
  // The same code as `npm run dev` (which seeds the two demo sites, blog.localhost and forge.localhost), on free ports.
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

const visit = (host: string, path: string, ip: string, headers?: Record<string, string>): Promise<Visit> =>
  visitSite(stack.edgeUrl, host, path, ip, headers);

const admin = () => ({ authorization: `Bearer ${stack.secrets.ADMIN_DEV_TOKEN}`, "content-type": "application/json" });
async function adminCall(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${stack.adminUrl}${path}`, { method, headers: admin(), ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

describe("two demo sites on one dev stack", () => {
  it("serves each host its own content and robots.txt, and every other host the default site", async () => {
    const [blog, forge, other] = await Promise.all([
      visit("blog.localhost", "/", "192.0.2.10"),
      visit("forge.localhost", "/", "192.0.2.11"),
      visit("127.0.0.1", "/", "192.0.2.12"),
    ]);
    expect(blog.body).toContain("Demo blog");
    expect(forge.body).toContain("Demo forge");
    expect(other.body).not.toContain("data-demo-site");
    const [blogRobots, forgeRobots] = await Promise.all([
      visit("blog.localhost", "/robots.txt", "192.0.2.13"),
      visit("forge.localhost", "/robots.txt", "192.0.2.14"),
    ]);
    expect(blogRobots.body).toContain("Disallow: /drafts/");
    expect(blogRobots.body).not.toContain("Disallow: /search");
    expect(forgeRobots.body).toContain("Disallow: /search");
    expect(forgeRobots.body).not.toContain("Disallow: /drafts/");
  });

  it("enforces each host's robots.txt: a declared bot is kept from a path only where that host disallows it", async () => {
    const bot = { "user-agent": SEARCH_BOT_UA, accept: "text/html" };
    const allowed = await visit("forge.localhost", "/drafts/x", "192.0.2.20", bot);
    const disallowed = await visit("forge.localhost", "/search?q=x", "192.0.2.21", bot);
    const elsewhere = await visit("127.0.0.1", "/search?q=x", "192.0.2.22", bot);
    expect(allowed.fromOrigin).toBe(true);
    expect(disallowed.fromOrigin).toBe(false);
    expect(elsewhere.fromOrigin).toBe(true);
  });

  it("applies each site's policy: the watching blog lets an AI crawler through, the forge and the default site do not", async () => {
    const gptbot = { "user-agent": GPTBOT_UA, accept: "text/html" };
    const [blog, forge, wildcard, other] = await Promise.all([
      visit("blog.localhost", "/", "192.0.2.30", gptbot),
      visit("forge.localhost", "/", "192.0.2.31", gptbot),
      visit("git.forge.localhost", "/", "192.0.2.33", gptbot), // *.forge.localhost is the forge's too
      visit("127.0.0.1", "/", "192.0.2.32", gptbot),
    ]);
    expect(blog.fromOrigin).toBe(true);
    expect(blog.body).toContain("Demo blog");
    expect(forge.fromOrigin).toBe(false);
    expect(wildcard.fromOrigin).toBe(false);
    expect(other.fromOrigin).toBe(false);
  });

  it("keeps a block on its site unless it is shared, and a shared one reaches every site", async () => {
    const own = await adminCall("POST", "/api/blocklist?site=forge", { target: "45.96.2.1", reason: "forge only", ttlSeconds: null });
    expect(own.status, await own.clone().text()).toBe(201);
    expect((await visit("forge.localhost", "/", "45.96.2.1")).status).toBe(403);
    expect((await visit("127.0.0.1", "/", "45.96.2.1")).status).toBe(200);

    const shared = await adminCall("POST", "/api/blocklist?site=forge", {
      target: "45.96.2.2",
      reason: "shared across my sites",
      ttlSeconds: null,
      shared: true,
    });
    expect(shared.status, await shared.clone().text()).toBe(201);
    // Range entries reach every isolate with its next snapshot check (≤ RANGES_REFRESH_MS).
    await expect
      .poll(async () => (await visit("127.0.0.1", "/", "45.96.2.2")).status, { timeout: RANGES_REFRESH_MS * 2 + 5_000, interval: 1_000 })
      .toBe(403);
    expect((await visit("forge.localhost", "/", "45.96.2.2")).status).toBe(403);
  }, 60_000);

  it("keeps a label on its site", async () => {
    const label = await adminCall("POST", "/api/labels?site=forge", { ip: "45.96.2.3", value: "bot", note: "seen on the forge" });
    expect(label.status, await label.clone().text()).toBe(201);
    const forge = (await (await adminCall("GET", "/api/labels?site=forge")).json()) as { labels: { ip: string }[] };
    const blog = (await (await adminCall("GET", "/api/labels?site=blog")).json()) as { labels: { ip: string }[] };
    expect(forge.labels.map((l) => l.ip)).toContain("45.96.2.3");
    expect(blog.labels.map((l) => l.ip)).not.toContain("45.96.2.3");
  });

  it("records each site's decisions under it, for its operators", async () => {
    await expect
      .poll(
        async () => {
          const page = (await (await adminCall("GET", "/api/decisions?site=forge&limit=100")).json()) as { decisions: { ip: string }[] };
          return page.decisions.map((d) => d.ip);
        },
        { timeout: 20_000, interval: 500 },
      )
      .toContain("192.0.2.31");
    const blog = (await (await adminCall("GET", "/api/decisions?site=blog&limit=100")).json()) as { decisions: { ip: string }[] };
    expect(blog.decisions.map((d) => d.ip)).not.toContain("192.0.2.31");
  }, 30_000);
});
