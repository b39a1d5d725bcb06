import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../dev/build";
import type { Stack } from "../../dev/stack";
import { startTestStack } from "../support/test-stack";
import { RANGES_REFRESH_MS } from "../../core/range-entries";
import { CHROME_NAVIGATION_HEADERS } from "../support/browser-headers";

const run = promisify(execFile);
const CHROME_UA = CHROME_NAVIGATION_HEADERS["user-agent"] ?? "";
const GPTBOT_UA = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)";
/** A word that exists only in the tiny test corpus: if a tarpit page shows it, the text came from Postgres. */
const MARKER = "zanzibarquux";

let stack: Stack;

beforeAll(async () => {
  // The same code as `npm run dev`, on free ports, state in memory. The tarpit reads corpus "e2e".
  // The tarpit's hop limit is out of reach here, so a block can only be escalation's (the test also checks the source).
  stack = await startTestStack({ vars: { "edge-guard-tarpit": { MARKOV_CORPUS: "e2e", HOP_LIMIT: "1000" } } });
  // Train the marker corpus into the stack's Postgres with the real CLI, before the tarpit first reads it.
  await run(
    process.execPath,
    [join(ROOT, "node_modules/tsx/dist/cli.mjs"), "scripts/model/train-markov.ts", "test/fixtures/markov/tiny.txt", "--corpus", "e2e"],
    {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: stack.databaseUrl, NEON_LOCAL_PROXY: stack.neonLocalProxy },
    },
  );
});

afterAll(async () => {
  await stack?.stop();
});

function get(path: string, userAgent: string, ip: string): Promise<Response> {
  const headers: Record<string, string> =
    userAgent === CHROME_UA ? { ...CHROME_NAVIGATION_HEADERS } : { "user-agent": userAgent, accept: "text/html" };
  return fetch(`${stack.edgeUrl}${path}`, { headers: { ...headers, "cf-connecting-ip": ip } });
}

describe("the dev stack, end to end", () => {
  it("serves the demo home page through edge-guard, the same as the origin serves it", async () => {
    const [viaEdge, direct] = await Promise.all([get("/", CHROME_UA, "192.0.2.1"), fetch(`${stack.originUrl}/`)]);
    expect(viaEdge.status).toBe(200);
    expect(viaEdge.headers.get("content-type")).toBe(direct.headers.get("content-type"));
    // Byte for byte, but for the honeypot link edge-guard adds to some pages.
    const withoutHoneypot = (await viaEdge.text()).replace(/<a href="\/archive\/[^"]+"[^>]*><\/a>/, "");
    expect(withoutHoneypot).toBe(await direct.text());
  });

  it("answers curl (a real client) with the home page", async () => {
    const { stdout } = await run("curl", ["-s", "-H", "CF-Connecting-IP: 192.0.2.2", `${stack.edgeUrl}/`]);
    expect(stdout).toContain('type="application/atom+xml"');
  });

  it("sends a declared AI crawler into the tarpit, whose text comes from Postgres", async () => {
    const response = await get("/articles/some-country", GPTBOT_UA, "198.51.100.20");
    expect(response.status).toBe(200);
    expect(response.headers.get("x-robots-tag")).toMatch(/noindex/);
    const html = await response.text();
    expect(html).toContain(MARKER);
    expect(html).toMatch(/href="\/archive\//);
  });

  it("blocks the crawler's IP at the edge once escalation has scored its tarpit hits, and shows it in admin", async () => {
    const ip = "198.51.100.66";
    // Bounded by requests, not a deadline: escalation's queue batch (max_batch_timeout 1 s) and edge-guard's
    // 10 s memory of a blocklist miss cover at most 12 s; the pauses alone add up to 0.5 + 90 × 0.5 s, whatever the load.
    const MAX_REQUESTS = 100;
    const statuses: number[] = [];
    for (let i = 0; i < MAX_REQUESTS; i++) {
      const response = await get(`/archive/hop-${i}`, GPTBOT_UA, ip);
      statuses.push(response.status);
      await response.body?.cancel();
      if (response.status === 403) break;
      await new Promise((r) => setTimeout(r, i < 10 ? 50 : 500));
    }
    expect(statuses.at(-1)).toBe(403);
    expect(statuses.slice(0, -1).every((s) => s === 200)).toBe(true);
    // Escalation's block, not the tarpit's hop limit (out of reach here) nor anything else.
    const kv = await stack.miniflare.getKVNamespace("BLOCKLIST", "edge-guard");
    const entry = JSON.parse((await kv.get(`ip:${ip}`)) ?? "null") as { source: string; action: string } | null;
    expect(entry).toMatchObject({ source: "escalation", action: "block" });
    // Other clients are unaffected.
    const human = await get("/", CHROME_UA, "192.0.2.3");
    expect(human.status).toBe(200);
    await human.body?.cancel();

    const auth = { authorization: `Bearer ${stack.secrets.ADMIN_DEV_TOKEN}` };
    const api = (await (await fetch(`${stack.adminUrl}/api/decisions?limit=200`, { headers: auth })).json()) as {
      decisions: Array<{ ip: string; blocked: boolean; modelScore: number | null; reasons: Array<{ code: string }> }>;
    };
    const blocking = api.decisions.find((d) => d.ip === ip && d.blocked);
    expect(blocking).toBeDefined();
    expect(blocking?.reasons.map((r) => r.code)).toContain("ua-ai-crawler");
    const page = await (await fetch(`${stack.adminUrl}/`, { headers: auth })).text();
    expect(page).toContain(ip);
  });

  it(`takes a network blocked in admin to the edge within RANGES_REFRESH_MS (${RANGES_REFRESH_MS / 1000} s), without listing KV`, async () => {
    const inside = "45.81.7.9";
    const first = await get("/", CHROME_UA, inside); // the edge isolate has loaded its range snapshot by now
    expect(first.status).toBe(200);
    await first.body?.cancel();
    // The RangeIndex's own RPC, through Miniflare's proxy (its type lives in the Workers' tsconfig, not this one).
    type Stats = { kv: { lists: number } };
    const rangeIndex = (await stack.miniflare.getDurableObjectNamespace("RANGE_INDEX", "edge-guard")) as unknown as {
      idFromName(name: string): unknown;
      get(id: unknown): { stats(): Promise<Stats> };
    };
    const stats = async () => rangeIndex.get(rangeIndex.idFromName("global")).stats();
    const listsBefore = (await stats()).kv.lists;

    const auth = { authorization: `Bearer ${stack.secrets.ADMIN_DEV_TOKEN}`, "content-type": "application/json" };
    const added = await fetch(`${stack.adminUrl}/api/blocklist`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ target: "45.81.7.0/24", reason: "e2e range", ttlSeconds: 3600 }),
    });
    expect(added.status).toBe(201);
    // The write call returns once the snapshot is published; the isolate sees it at its next version check.
    const deadline = Date.now() + RANGES_REFRESH_MS + 5_000;
    let status = 0;
    while (Date.now() < deadline) {
      const response = await get("/", CHROME_UA, inside);
      status = response.status;
      await response.body?.cancel();
      if (status === 403) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(status).toBe(403);
    const outside = await get("/", CHROME_UA, "45.81.8.9");
    expect(outside.status).toBe(200);
    await outside.body?.cancel();
    expect((await stats()).kv.lists).toBe(listsBefore); // the one-time import aside, nothing lists KV
  });
});
