import { env as rawEnv, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { fnv1a } from "../../../core/fingerprint";
import { compilePolicy } from "../../../core/policy/compile";
import type { EdgeGuardEnv } from "../../../workers/edge-guard/env";
import { kvKeys } from "../../../core/kv-keys";
import { PolicySource } from "../../../workers/edge-guard/policy-source";
import { TARPIT_CLIENT_IP_HEADER, TARPIT_NO_HOP_HEADER, TARPIT_SCORE_HEADER } from "../../../core/tarpit-headers";
import { isolateState } from "../../../workers/edge-guard/app";

const env = rawEnv as unknown as EdgeGuardEnv;
const CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const GOOGLEBOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
/** Inside 192.178.4.0/27, one of Google's published crawler ranges in core/data/crawler-ranges.json. */
const GOOGLE_IP = "192.178.4.8";

let next = 1;
const freshIp = () => `198.18.0.${next++}`;
function get(path: string, ip: string, userAgent = CHROME_UA, headers: Record<string, string> = {}): Promise<Response> {
  return exports.default.fetch(
    new Request(`http://site.test${path}`, {
      headers: { "user-agent": userAgent, "cf-connecting-ip": ip, accept: "text/html", ...headers },
    }),
  );
}

describe("edge-guard detection", () => {
  it("injects a hidden honeypot link into one page in four for ordinary clients, the same pages every time", async () => {
    const candidates = Array.from({ length: 40 }, () => freshIp());
    const chosen = candidates.filter((ip) => fnv1a(`${ip}|/`) % 4 === 0);
    const skipped = candidates.filter((ip) => fnv1a(`${ip}|/`) % 4 !== 0);
    expect(chosen.length).toBeGreaterThan(0);
    const honeypot = /<a href="\/archive\/[0-9a-f]{20}\/index\.html" rel="nofollow" aria-hidden="true" tabindex="-1"[^>]*><\/a>$/; // appended to the body stream, after the document (parsers put it in <body>)
    expect(await (await get("/", chosen[0] ?? "")).text()).toMatch(honeypot);
    expect(await (await get("/", skipped[0] ?? "")).text()).not.toMatch(/href="\/archive\//);
  });

  it("gives a verified Googlebot real pages without a honeypot", async () => {
    const response = await get("/", GOOGLE_IP, GOOGLEBOT_UA);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-stub")).toBeNull();
    const html = await response.text();
    expect(html).toContain("<main");
    expect(fnv1a(`${GOOGLE_IP}|/`) % 4).toBe(0); // a page that would carry a honeypot for anyone else
    expect(html).not.toContain('href="/archive/');
  });

  it("tarpits a spoofed Googlebot from an address outside Google's ranges", async () => {
    const response = await get("/", freshIp(), GOOGLEBOT_UA);
    expect(response.headers.get("x-stub")).toBe("tarpit");
    await response.body?.cancel();
  });

  it("serves a managed robots.txt: the origin's rules, the AI crawlers disallowed, the labyrinth off limits", async () => {
    // Fetched as edge-guard fetches it: for the public host (site.test), so the origin's links name that host.
    const origin = await (await fetch(new URL("/robots.txt", env.ORIGIN_URL), { headers: { "x-forwarded-host": "site.test" } })).text();
    expect(origin).toContain("Sitemap: http://site.test/sitemap.xml");
    const response = await get("/robots.txt", freshIp(), "Mozilla/5.0 (compatible; GPTBot/1.2)");
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).toContain(origin.split("\n").find((l) => /^sitemap:/i.test(l)));
    expect(body).toMatch(/User-agent: GPTBot[\s\S]*?Disallow: \/\n/);
    expect(body).toContain("Disallow: /archive/");
  });

  it("passes the client IP and score to the tarpit in trusted headers, overwriting a client's own copies", async () => {
    const ip = freshIp();
    // A client that tries to steer the tarpit: another address, a harmless score, "not a hop".
    const forged = { [TARPIT_CLIENT_IP_HEADER]: "203.0.113.250", [TARPIT_SCORE_HEADER]: "-100", [TARPIT_NO_HOP_HEADER]: "1" };
    const response = await get("/x", ip, "Mozilla/5.0 (compatible; ClaudeBot/1.0)", forged);
    expect(response.headers.get("x-stub")).toBe("tarpit");
    expect(response.headers.get("x-stub-client-ip")).toBe(ip);
    // edge-guard's own score: ua-ai-crawler weighs 60 (the preset's "ai-crawlers" rule tarpits it), not the client's -100.
    expect(response.headers.get("x-stub-score")).toBe("60");
    expect(response.headers.get("x-stub-no-hop")).toBe("absent"); // the client's own step: a hop, and its copy removed
    await response.body?.cancel();
  });
});

describe("PolicySource", () => {
  it("switches to a valid policy from KV and keeps the last good one when KV holds a broken one", async () => {
    const source = new PolicySource(isolateState().faults);
    const noop = (p: Promise<unknown>) => void p;
    let pending: Promise<unknown> = Promise.resolve();
    const capture = (p: Promise<unknown>) => void (pending = p);
    expect((await source.current(env.BLOCKLIST, 0, noop)).preset).toBe("moderate");

    await env.BLOCKLIST.put(kvKeys.policy, JSON.stringify({ version: 1, preset: "aggressive", mode: "observe" }));
    await source.current(env.BLOCKLIST, 1_000_000, capture);
    await pending;
    expect(await source.current(env.BLOCKLIST, 1_000_001, noop)).toMatchObject({ preset: "aggressive", mode: "observe" });

    const faultsBefore = isolateState().faults.counts().policy;
    await env.BLOCKLIST.put(kvKeys.policy, JSON.stringify({ version: 1, thresholds: { challenge: 9, tarpit: 1, block: 2 } }));
    await source.current(env.BLOCKLIST, 2_000_000, capture);
    await pending;
    expect(await source.current(env.BLOCKLIST, 2_000_001, noop)).toMatchObject({ preset: "aggressive", mode: "observe" });
    expect(isolateState().faults.counts().policy).toBe(faultsBefore + 1);
    await env.BLOCKLIST.delete(kvKeys.policy);
  });

  it("ships a bundled default policy that compiles", async () => {
    const bundled = await import("../../../policies/default.json");
    expect(compilePolicy(bundled.default).ok).toBe(true);
  });

  it("gives a declared crawler framework from a datacenter one real page, then the labyrinth", async () => {
    const ip = freshIp();
    const aws = { "x-dev-cf": JSON.stringify({ asn: 16509 }) };
    const ua = "crawler4j (https://github.com/yasserg/crawler4j/)";
    const first = await get("/", ip, ua, aws);
    expect(first.status).toBe(200);
    expect(first.headers.get("x-stub")).toBeNull();
    await first.body?.cancel();
    const second = await get("/page/2", ip, ua, aws);
    expect(second.headers.get("x-stub")).toBe("tarpit");
    await second.body?.cancel();
    // The feed is not a page: a feed reader over its page budget still gets the feed.
    const reader = freshIp();
    const newsboat = "newsboat/2.30.1 (Linux x86_64)";
    for (const path of ["/", "/page/2", "/feed.xml", "/feed.xml"])
      await (await get(path, reader, newsboat, { accept: "application/rss+xml" })).body?.cancel();
    const feed = await get("/feed.xml", reader, newsboat, { accept: "application/rss+xml" });
    expect(feed.headers.get("x-stub")).toBeNull();
    await feed.body?.cancel();
  });

  it("lets one link-preview address fetch many links from a datacenter, not an unbounded crawl", async () => {
    const ip = freshIp();
    const aws = { "x-dev-cf": JSON.stringify({ asn: 16509 }) };
    const slack = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)";
    const stubs: (string | null)[] = [];
    for (let i = 0; i < 25; i++) {
      const response = await get(`/articles/link-${i}`, ip, slack, aws);
      stubs.push(response.headers.get("x-stub"));
      await response.body?.cancel();
    }
    expect(stubs.slice(0, 20).every((s) => s === null)).toBe(true);
    expect(stubs.slice(21)).toEqual(["tarpit", "tarpit", "tarpit", "tarpit"]);
  });
});
