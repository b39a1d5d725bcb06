import { exports } from "cloudflare:workers";
import crawlers from "crawler-user-agents";
import { describe, expect, it } from "vitest";
import ranges from "../../../core/data/crawler-ranges.json";
import { classifyDeclaredBot } from "../../../core/declared-bots";
import { buildCrawlerIndex, verifyCrawler } from "../../../core/verified-crawlers";

/**
 * Every crawler User-Agent of the public list (npm crawler-user-agents, all `instances`), not a sample: each from a
 * datacenter address of its own asks for two pages through the real edge Worker in workerd (real Durable
 * Objects, the real demo origin), and gets at most one real page. test/e2e/declared-bots.test.ts runs a sample of
 * the same list through the whole dev stack over HTTP.
 */
const AWS = JSON.stringify({ asn: 16509, httpProtocol: "HTTP/1.1", tlsVersion: "TLSv1.3" });
const CONCURRENCY = 8;

function everyCrawler(): string[] {
  const index = buildCrawlerIndex(ranges);
  if (!index.ok) throw new Error(index.error);
  return [...new Set((crawlers as readonly { instances: string[] }[]).flatMap((c) => c.instances))].filter(
    (ua) => classifyDeclaredBot(ua)?.kind !== "link-preview" && verifyCrawler("203.0.113.1", ua, index.value) === null,
  );
}

/** A real page: the origin's answer (200, not the labyrinth stub, not the challenge). */
async function isRealPage(path: string, ip: string, userAgent: string): Promise<boolean> {
  const response = await exports.default.fetch(
    new Request(`http://site.test${path}`, {
      headers: { "user-agent": userAgent, "cf-connecting-ip": ip, accept: "text/html", "x-dev-cf": AWS },
    }),
  );
  const body = await response.text();
  return response.status === 200 && response.headers.get("x-stub") === null && body.includes("<main");
}

describe("declared automation, the whole public list", () => {
  it("gives every crawler User-Agent at most one real page from a datacenter", async () => {
    const uas = everyCrawler();
    expect(uas.length).toBeGreaterThan(1500);
    const real = Array.from({ length: uas.length }, () => 0);
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < uas.length) {
          const i = next++;
          const ua = uas[i] ?? "";
          const ip = `45.${(i >> 8) & 255}.${i & 255}.9`; // a /24 each
          for (const path of ["/articles/france", "/page/2"]) if (await isRealPage(path, ip, ua)) real[i] = (real[i] ?? 0) + 1;
        }
      }),
    );
    const over = uas.filter((_, i) => (real[i] ?? 0) > 1);
    console.log(
      JSON.stringify({
        msg: "declared bots, whole list",
        uas: uas.length,
        none: real.filter((n) => n === 0).length,
        one: real.filter((n) => n === 1).length,
      }),
    );
    expect(over).toEqual([]);
    // The budget, not a blanket block, is what holds most of them.
    expect(real.filter((n) => n === 1).length).toBeGreaterThan(uas.length / 2);
  }, 240_000);
});
