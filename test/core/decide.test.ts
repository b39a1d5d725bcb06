import { describe, expect, it } from "vitest";
import type { ClientIp } from "../../core/client-ip";
import { DEFAULT_LIMITS, decide } from "../../core/decide";
import type { ClientState, RequestFacts } from "../../core/request-facts";

const CHROME_UA =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const GPTBOT_UA = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)";

function facts(over: Partial<RequestFacts> = {}): RequestFacts {
  return { ip: "198.51.100.7" as ClientIp, method: "GET", path: "/", userAgent: CHROME_UA, headers: {}, cf: {}, receivedAt: 1_000_000, ...over };
}
const quiet: ClientState = { blocklisted: false, counts: { hits1m: 1, hits10m: 1, tarpitHits: 0 } };

describe("decide", () => {
  it("allows a browser at a human pace", () => {
    expect(decide(facts(), quiet)).toEqual({ action: "allow", score: 0, reasons: [] });
  });

  it("tarpits a declared AI crawler and says which token matched", () => {
    const verdict = decide(facts({ userAgent: GPTBOT_UA }), quiet);
    expect(verdict.action).toBe("tarpit");
    expect(verdict.reasons).toContainEqual(expect.objectContaining({ code: "ua-ai-crawler", detail: "GPTBot" }));
  });

  it("keeps a crawler deep in the maze in the tarpit rather than blocking it on rules alone", () => {
    const verdict = decide(facts({ userAgent: GPTBOT_UA, path: "/archive/abc/def" }), quiet);
    expect(verdict.action).toBe("tarpit");
    expect(verdict.reasons.map((r) => r.code).sort()).toEqual(["trap-path", "ua-ai-crawler"]);
  });

  it("blocks a blocklisted client, whatever it claims to be", () => {
    const verdict = decide(facts(), { ...quiet, blocklisted: true });
    expect(verdict.action).toBe("block");
    expect(verdict.reasons[0]?.code).toBe("blocklist-ip");
  });

  it("blocks a blocklisted client even on robots.txt", () => {
    expect(decide(facts({ path: "/robots.txt" }), { ...quiet, blocklisted: true }).action).toBe("block");
  });

  it.each(["/robots.txt", "/sitemap.xml", "/favicon.ico", "/.well-known/security.txt"])("lets an AI crawler read %s", (path) => {
    expect(decide(facts({ userAgent: GPTBOT_UA, path }), quiet).action).toBe("allow");
  });

  it("tarpits a burst above the per-minute limit and not at the limit", () => {
    const at = (n: number) => decide(facts(), { blocklisted: false, counts: { hits1m: n, hits10m: n, tarpitHits: 0 } });
    expect(at(DEFAULT_LIMITS.burstPerMinute).action).toBe("allow");
    const over = at(DEFAULT_LIMITS.burstPerMinute + 1);
    expect(over.action).toBe("tarpit");
    expect(over.reasons).toContainEqual(expect.objectContaining({ code: "burst" }));
  });

  it("still decides when the ledger was unreachable", () => {
    expect(decide(facts({ userAgent: GPTBOT_UA }), { blocklisted: false, counts: null }).action).toBe("tarpit");
    expect(decide(facts(), { blocklisted: false, counts: null }).action).toBe("allow");
  });
});
