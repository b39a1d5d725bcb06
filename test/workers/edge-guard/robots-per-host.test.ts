import { env as rawEnv, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { EdgeGuardEnv } from "../../../workers/edge-guard/env";
import { OriginRobots, ROBOTS_MAX_HOSTS } from "../../../workers/edge-guard/origin-robots";

const env = rawEnv as unknown as EdgeGuardEnv;

// The test origin serves robots-a.test and robots-b.test different robots.txt (test/support/robots-hosts.ts).
// A declared, non-AI bot: robots.txt decides where it may go.
const SEARCH_BOT_UA = "Mozilla/5.0 (compatible; ExampleSearchBot/1.0; +https://search.example/bot)";
let next = 1;
const freshIp = () => `198.18.9.${next++}`;
const get = (host: string, path: string, userAgent = SEARCH_BOT_UA) =>
  exports.default.fetch(
    new Request(`http://${host}${path}`, { headers: { "user-agent": userAgent, "cf-connecting-ip": freshIp(), accept: "text/html" } }),
    { redirect: "manual" },
  );

describe("robots.txt per host", () => {
  it("serves each host its own origin robots.txt, whichever host the isolate saw first", async () => {
    const a = await (await get("robots-a.test", "/robots.txt")).text();
    const b = await (await get("robots-b.test", "/robots.txt")).text();
    const a2 = await (await get("robots-a.test", "/robots.txt")).text();
    // The origin's group for that host, with the policy's Content Signals (defaults) and edge-guard's trap prefix added.
    expect(a).toMatch(
      /^User-agent: \*\nContent-Signal: search=yes, ai-input=no, ai-train=no\nDisallow: \/archive\/\nDisallow: \/members\/\n/,
    );
    expect(a).not.toContain("Disallow: /drafts/");
    expect(b).toMatch(
      /^User-agent: \*\nContent-Signal: search=yes, ai-input=no, ai-train=no\nDisallow: \/archive\/\nDisallow: \/drafts\/\n/,
    );
    expect(b).not.toContain("Disallow: /members/");
    expect(a2).toBe(a);
  });

  it("enforces each host's own rules: a path disallowed on one host only is a violation there only", async () => {
    const verdicts: Record<string, string | null> = {};
    for (const [host, path] of [
      ["robots-a.test", "/members/x"],
      ["robots-b.test", "/members/x"],
      ["robots-b.test", "/drafts/x"],
      ["robots-a.test", "/drafts/x"],
    ] as const) {
      const response = await get(host, path);
      verdicts[`${host}${path}`] = response.headers.get("x-stub") ?? String(response.status);
      await response.body?.cancel();
    }
    const allowed = verdicts["robots-b.test/members/x"];
    expect(verdicts["robots-a.test/drafts/x"]).toBe(allowed);
    expect(verdicts["robots-a.test/members/x"]).not.toBe(allowed);
    expect(verdicts["robots-b.test/drafts/x"]).not.toBe(allowed);
  });
});

describe("OriginRobots", () => {
  it("keeps at most ROBOTS_MAX_HOSTS hosts, dropping the least recently used", async () => {
    const robots = new OriginRobots();
    const now = Date.now();
    const hostAt = (i: number) => `h${i}.cache.test`;
    for (let i = 0; i < ROBOTS_MAX_HOSTS; i++) await robots.get(env.ORIGIN_URL, `http://${hostAt(i)}/`, now);
    await robots.get(env.ORIGIN_URL, `http://${hostAt(0)}/`, now); // h0 used again: h1 is now the oldest
    await robots.get(env.ORIGIN_URL, "http://one-more.cache.test/", now);
    const hosts = robots.hosts();
    expect(hosts).toHaveLength(ROBOTS_MAX_HOSTS);
    expect(hosts).not.toContain(hostAt(1));
    expect(hosts.slice(-2)).toEqual([hostAt(0), "one-more.cache.test"]);
  });
});
