import { readdirSync, readFileSync } from "node:fs";
import { factsOf } from "../support/request-facts";
import type { ReasonCode } from "../../core/signals/registry";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ClientIp } from "../../core/client-ip";
import { compilePolicy, type CompiledPolicy } from "../../core/policy/compile";
import { evaluatePolicy } from "../../core/policy/evaluate";
import type { Reason } from "../../core/verdict";

const FIXTURES = join(import.meta.dirname, "../fixtures/policies");
const read = (kind: string, file: string): unknown => JSON.parse(readFileSync(join(FIXTURES, kind, file), "utf8"));

function compiled(input: unknown): CompiledPolicy {
  const result = compilePolicy(input);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

const facts = factsOf;
const signal = (code: ReasonCode, weight: number): Reason => ({ code, weight });

describe("compilePolicy", () => {
  it.each(readdirSync(join(FIXTURES, "good")))("compiles good/%s", (file) => {
    const result = compilePolicy(read("good", file));
    expect(result.ok ? "ok" : result.error).toBe("ok");
  });

  it.each(readdirSync(join(FIXTURES, "bad")))("rejects bad/%s", (file) => {
    expect(compilePolicy(read("bad", file)).ok).toBe(false);
  });

  it.each([
    ["bad-regex.json", "rules[0].match.userAgent"],
    ["weigh-without-weight.json", "rules[0].weight"],
    ["falling-thresholds.json", "thresholds"],
    ["bad-cidr.json", "rules[0].match.ip"],
    ["unknown-field.json", "rules[0].match"],
    ["duplicate-names.json", "rules[1].name"],
    ["wrong-version.json", "version"],
    ["pay-per-crawl-currency.json", "payPerCrawl.prices[0].price"],
  ])("names the bad field of %s (%s)", (file, path) => {
    const result = compilePolicy(read("bad", file));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(path);
  });

  it("fills preset defaults", () => {
    const policy = compiled({ version: 1 });
    expect(policy.preset).toBe("moderate");
    expect(policy.mode).toBe("enforce");
    expect(policy.thresholds).toEqual({ challenge: 40, tarpit: 70, block: 120 });
    expect(policy.rules.every((r) => r.origin === "preset")).toBe(true);
  });
});

describe("evaluatePolicy", () => {
  const forge = compiled(read("good", "forge.json"));

  it("lets the first matching terminal rule decide, operator rules before the preset's", () => {
    const verdict = evaluatePolicy(forge, facts({ ip: "192.0.2.55" as ClientIp }), [signal("ua-ai-crawler", 0)]);
    expect(verdict.action).toBe("allow");
    expect(verdict.decidedBy).toBe("office");
  });

  it("matches IPv6 CIDRs", () => {
    const verdict = evaluatePolicy(forge, facts({ ip: "2001:0db8:0000:0000:0000:0000:0000:0001" as ClientIp }), []);
    expect(verdict.decidedBy).toBe("office");
    expect(evaluatePolicy(forge, facts({ ip: "2001:0db9:0000:0000:0000:0000:0000:0001" as ClientIp }), []).decidedBy).toBeNull();
  });

  it("tarpits a declared AI crawler through the preset rule", () => {
    const verdict = evaluatePolicy(forge, facts(), [signal("ua-ai-crawler", 0)]);
    expect(verdict).toMatchObject({ action: "tarpit", decidedBy: "ai-crawlers" });
  });

  it("sums signal and weigh-rule weights against the thresholds, with signal weights overridden by the policy", () => {
    const accept = { "accept-language": "en" };
    expect(evaluatePolicy(forge, facts({ headers: accept }), [signal("hdr-old-tls", 29)]).action).toBe("allow");
    expect(evaluatePolicy(forge, facts({ headers: accept }), [signal("hdr-old-tls", 30)]).action).toBe("challenge");
    // no accept-language: the weigh rule adds 10
    expect(evaluatePolicy(forge, facts(), [signal("hdr-old-tls", 55)]).action).toBe("tarpit");
    // hdr-headless is overridden from 5 to 80
    const headless = evaluatePolicy(forge, facts({ headers: accept }), [signal("hdr-headless", 5)]);
    expect(headless.score).toBe(80);
    expect(headless.action).toBe("tarpit");
    expect(evaluatePolicy(forge, facts({ path: "/a/b/blame/x" }), [signal("hdr-old-tls", 70)]).action).toBe("block");
  });

  it("matches ASN, country and method conditions together", () => {
    expect(evaluatePolicy(forge, facts({ cf: { asn: 16509 } }), []).decidedBy).toBe("hosting");
    expect(evaluatePolicy(forge, facts({ method: "POST", cf: { country: "T1" } }), []).action).toBe("block");
    expect(evaluatePolicy(forge, facts({ method: "GET", cf: { country: "T1" } }), []).decidedBy).toBeNull();
  });

  it("always allows robots.txt and lets a feed reader fetch the feed", () => {
    const moderate = compiled({ version: 1 });
    expect(evaluatePolicy(moderate, facts({ path: "/robots.txt" }), [signal("ua-ai-crawler", 0)]).action).toBe("allow");
    expect(evaluatePolicy(moderate, facts({ path: "/feed.xml" }), [signal("ua-scripted", 45)]).action).toBe("allow");
    expect(evaluatePolicy(moderate, facts({ path: "/articles/x" }), [signal("ua-scripted", 45)]).action).toBe("challenge");
  });

  it("lets a declared bot's first page through and tarpits the pages over its budget, unless the operator allows it", () => {
    const moderate = compiled({ version: 1 });
    const fromAws = [signal("ua-declared-bot", 5), signal("asn-datacenter", 15)];
    expect(evaluatePolicy(moderate, facts(), fromAws).action).toBe("allow");
    expect(evaluatePolicy(moderate, facts(), [...fromAws, signal("bot-over-budget", 40)])).toMatchObject({
      action: "tarpit",
      decidedBy: "declared-bot-budget",
    });
    const allowed = compiled({ version: 1, rules: [{ name: "our-monitor", match: { userAgent: "crawler4j" }, action: "allow" }] });
    const over = [...fromAws, signal("bot-over-budget", 40)];
    expect(evaluatePolicy(allowed, facts({ userAgent: "crawler4j (https://github.com/yasserg/crawler4j/)" }), over).decidedBy).toBe(
      "our-monitor",
    );
  });

  it("does not challenge a link preview from a datacenter, even in the aggressive preset", () => {
    const aggressive = compiled({ version: 1, preset: "aggressive" });
    expect(evaluatePolicy(aggressive, facts(), [signal("ua-link-preview", 5), signal("asn-datacenter", 15)]).action).toBe("allow");
    expect(evaluatePolicy(aggressive, facts(), [signal("ua-declared-bot", 5), signal("asn-datacenter", 15)]).action).toBe("challenge");
  });

  it("allows verified crawlers even with bot-like signals", () => {
    const moderate = compiled({ version: 1 });
    const verdict = evaluatePolicy(moderate, facts(), [signal("verified-crawler", 0), signal("hdr-browser-no-sec-fetch", 100)]);
    expect(verdict).toMatchObject({ action: "allow", decidedBy: "verified-crawlers" });
  });
});
