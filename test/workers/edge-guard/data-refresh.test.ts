import { env as rawEnv, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import crawlers from "crawler-user-agents";
import { AI_AGENTS_KV_KEY, AI_ROBOTS_JSON_URL, CRAWLER_RANGES_KV_KEY, DECLARED_BOTS_KV_KEY } from "../../../core/data-refresh";
import { CRAWLER_USER_AGENTS_URL } from "../../../core/declared-bots";
import { CrawlerRangesSchema } from "../../../core/verified-crawlers";
import { refreshData } from "../../../workers/edge-guard/data-refresh";
import type { EdgeGuardEnv } from "../../../workers/edge-guard/env";
import { isolateState } from "../../../workers/edge-guard/app";

const env = rawEnv as unknown as EdgeGuardEnv;

/** The published lists, as a stand-in for the third-party hosts (no internet in tests). */
function thirdParties(routes: Record<string, unknown>): typeof fetch {
  return (async (input: RequestInfo | URL) => {
    const url = String(input instanceof Request ? input.url : input);
    return url in routes ? Response.json(routes[url]) : new Response("not found", { status: 404 });
  }) as typeof fetch;
}

const agents = Object.fromEntries(
  ["GPTBot", "ClaudeBot", "Googlebot", "BrandNewAIBot", ...Array.from({ length: 25 }, (_, i) => `AgentNo${i}`)].map((t) => [
    t,
    { operator: "x" },
  ]),
);

describe("data refresh (Cron Trigger)", () => {
  it("stores a validated AI agent list and the crawler ranges it could fetch, keeping the bundled rest", async () => {
    const outcome = await refreshData(
      env.BLOCKLIST,
      thirdParties({
        [AI_ROBOTS_JSON_URL]: agents,
        "https://www.bing.com/toolbox/bingbot.json": { creationTime: "2026-11-01", prefixes: [{ ipv4Prefix: "198.51.100.0/24" }] },
      }),
      Date.parse("2026-11-22T00:00:00Z"),
      isolateState().faults,
    );
    expect(outcome.aiAgents).toBe(28); // Googlebot is never taken for an AI agent
    const stored = (await env.BLOCKLIST.get(AI_AGENTS_KV_KEY, "json")) as { tokens: string[] };
    expect(stored.tokens).toContain("BrandNewAIBot");
    expect(stored.tokens).not.toContain("Googlebot");
    const ranges = CrawlerRangesSchema.parse(await env.BLOCKLIST.get(CRAWLER_RANGES_KV_KEY, "json"));
    const bing = ranges.crawlers.find((c) => c.id === "bingbot");
    expect(outcome.crawlersRefreshed).toEqual(["bingbot"]);
    expect(bing?.prefixes).toEqual(["198.51.100.0/24"]);
    expect(ranges.crawlers.find((c) => c.id === "googlebot")?.prefixes.length).toBeGreaterThan(100);
  });

  it("keeps the previous list when the fetched one is broken or suspiciously short", async () => {
    await env.BLOCKLIST.put(AI_AGENTS_KV_KEY, JSON.stringify({ fetchedAt: 1, source: "x", tokens: ["KeptBot"] }));
    const outcome = await refreshData(
      env.BLOCKLIST,
      thirdParties({ [AI_ROBOTS_JSON_URL]: { OnlyOne: {} } }),
      Date.now(),
      isolateState().faults,
    );
    expect(String(outcome.aiAgents)).toMatch(/only 1 usable/);
    expect(await env.BLOCKLIST.get(AI_AGENTS_KV_KEY, "json")).toMatchObject({ tokens: ["KeptBot"] });
  });

  it("an edge isolate uses refreshed data: a new AI agent is tarpitted and a newly published range verifies", async () => {
    await env.BLOCKLIST.put(AI_AGENTS_KV_KEY, JSON.stringify({ fetchedAt: 1, source: "x", tokens: ["BrandNewAIBot"] }));
    const ranges = CrawlerRangesSchema.parse(await import("../../../core/data/crawler-ranges.json").then((m) => m.default));
    const bing = ranges.crawlers.find((c) => c.id === "bingbot");
    if (bing === undefined) throw new Error("bundled ranges lack bingbot");
    const refreshed = {
      ...ranges,
      crawlers: ranges.crawlers.map((c) => (c.id === "bingbot" ? { ...c, prefixes: ["198.51.100.0/24"] } : c)),
    };
    await env.BLOCKLIST.put(CRAWLER_RANGES_KV_KEY, JSON.stringify(refreshed));
    // This test file's isolate loads the data on its first request.
    const get = (ua: string, ip: string) =>
      exports.default.fetch(new Request("http://site.test/", { headers: { "user-agent": ua, "cf-connecting-ip": ip } }));
    const newAgent = await get("Mozilla/5.0 (compatible; BrandNewAIBot/0.1)", "203.0.113.50");
    expect(newAgent.headers.get("x-stub")).toBe("tarpit");
    await newAgent.body?.cancel();
    const bingUa =
      "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/131.0.0.0 Safari/537.36";
    const verified = await get(bingUa, "198.51.100.9");
    expect(verified.status).toBe(200);
    expect(verified.headers.get("x-stub")).toBeNull();
    await verified.body?.cancel();
    const spoofed = await get(bingUa, "203.0.113.51");
    expect(spoofed.headers.get("x-stub")).toBe("tarpit");
    await spoofed.body?.cancel();
  });

  describe("sanity checks refuse a refreshed list, keep it out of KV and count a fault", () => {
    const list = crawlers as readonly { pattern: string; tags?: string[] }[];
    const refresh = (routes: Record<string, unknown>) =>
      refreshData(env.BLOCKLIST, thirdParties(routes), Date.now(), isolateState().faults);

    it("stores a crawler list that passes, with a new framework in it", async () => {
      const outcome = await refresh({ [CRAWLER_USER_AGENTS_URL]: [...list, { pattern: "Zeppelinwalker", tags: [] }] });
      expect(outcome.declaredBots).toBe(list.length + 1);
      const stored = (await env.BLOCKLIST.get(DECLARED_BOTS_KV_KEY, "json")) as { patterns: { other: string[] } };
      expect(stored.patterns.other).toContain("Zeppelinwalker");
    });

    it("refuses a crawler list that matches a mainstream browser", async () => {
      const before = await env.BLOCKLIST.get(DECLARED_BOTS_KV_KEY);
      const faults = isolateState().faults.counts()["data-refresh"];
      const outcome = await refresh({ [CRAWLER_USER_AGENTS_URL]: [...list, { pattern: "Chrome\\/\\d+" }] });
      expect(String(outcome.declaredBots)).toMatch(/matches a browser/);
      expect(await env.BLOCKLIST.get(DECLARED_BOTS_KV_KEY)).toBe(before);
      expect(isolateState().faults.counts()["data-refresh"]).toBe(faults + 1);
    });

    it("refuses a crawler list that shrank below 80% of the previous one", async () => {
      const before = await env.BLOCKLIST.get(DECLARED_BOTS_KV_KEY);
      const faults = isolateState().faults.counts()["data-refresh"];
      const outcome = await refresh({ [CRAWLER_USER_AGENTS_URL]: list.slice(0, Math.floor(list.length * 0.7)) });
      expect(String(outcome.declaredBots)).toMatch(/fewer than 80%/);
      expect(await env.BLOCKLIST.get(DECLARED_BOTS_KV_KEY)).toBe(before);
      expect(isolateState().faults.counts()["data-refresh"]).toBe(faults + 1);
    });

    it("refuses an AI list that would match browsers or shrank sharply", async () => {
      const stored = { fetchedAt: 1, source: "x", tokens: Array.from({ length: 40 }, (_, i) => `KeptAgent${i}`) };
      await env.BLOCKLIST.put(AI_AGENTS_KV_KEY, JSON.stringify(stored));
      const faults = isolateState().faults.counts()["data-refresh"];
      const withSafari = Object.fromEntries([...stored.tokens, "Safari"].map((t) => [t, {}]));
      expect(String((await refresh({ [AI_ROBOTS_JSON_URL]: withSafari })).aiAgents)).toMatch(/matches a browser \(Safari\)/);
      const shrunk = Object.fromEntries(stored.tokens.slice(0, 25).map((t) => [t, {}]));
      expect(String((await refresh({ [AI_ROBOTS_JSON_URL]: shrunk })).aiAgents)).toMatch(/fewer than 80%/);
      expect(await env.BLOCKLIST.get(AI_AGENTS_KV_KEY, "json")).toEqual(stored);
      expect(isolateState().faults.counts()["data-refresh"]).toBe(faults + 2);
    });
  });
});
