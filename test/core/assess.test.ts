import { describe, expect, it } from "vitest";
import { factsOf } from "../support/request-facts";
import { CHROME_NAVIGATION_HEADERS } from "../support/browser-headers";
import crawlerRanges from "../../core/data/crawler-ranges.json";
import { assess, listing, requestSignals, weighsAgainst, type AssessInput, type SignalContext } from "../../core/assess";
import type { BlocklistEntry } from "../../core/blocklist-entry";
import type { ClientIp } from "../../core/client-ip";
import { bundledDeclaredBots } from "../../core/declared-bots";
import { LruMap } from "../../core/lru";
import { compilePolicy, type CompiledPolicy } from "../../core/policy/compile";
import type { RangeEntry } from "../../core/range-entries";
import type { RequestFacts } from "../../core/request-facts";
import type { BehaviourCounts } from "../../core/signals/behaviour";
import { CONTEXT_SIGNALS, SIGNALS, signal } from "../../core/signals/registry";
import type { Reason } from "../../core/verdict";
import { buildCrawlerIndex } from "../../core/verified-crawlers";

const CHROME_UA = CHROME_NAVIGATION_HEADERS["user-agent"] ?? "";
const CHROME_HEADERS = CHROME_NAVIGATION_HEADERS;

function policyOf(input: unknown): CompiledPolicy {
  const result = compilePolicy(input);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}
const MODERATE = policyOf({ version: 1 }); // thresholds 40 / 70 / 120

function facts(over: Partial<RequestFacts> = {}): RequestFacts {
  return factsOf({
    path: "/articles/one",
    userAgent: CHROME_UA,
    headers: CHROME_HEADERS,
    cf: { httpProtocol: "HTTP/2", tlsVersion: "TLSv1.3" },
    receivedAt: 1_000_000,
    ...over,
  });
}

const zero = { m1: 0, m10: 0 };
const quietCounts: BehaviourCounts = {
  ip: { m1: 2, m10: 2 },
  ipPages: { m1: 1, m10: 1 },
  ipAssets: { m1: 1, m10: 1 },
  ipTarpit: zero,
  prefix: { m1: 2, m10: 2 },
  asn: null,
  fingerprint: { m1: 2, m10: 2 },
};

function input(over: Partial<AssessInput> = {}): AssessInput {
  return { policy: MODERATE, facts: facts(), signals: [], entry: null, counts: quietCounts, group: { pages: 1, assets: 1 }, ...over };
}

const crawlers = (() => {
  const index = buildCrawlerIndex(crawlerRanges);
  if (!index.ok) throw new Error(index.error);
  return index.value;
})();
const context = (over: Partial<SignalContext> = {}): SignalContext => ({
  declaredBots: bundledDeclaredBots().matcher,
  aiAgents: null,
  crawlers,
  range: null,
  ...over,
});
const range = (over: Partial<RangeEntry> = {}): RangeEntry => ({
  scope: "cidr",
  value: "198.51.100.0/24",
  action: "block",
  reason: "scraper network",
  source: "operator",
  expiresAt: null,
  at: 1,
  site: "default",
  shared: false,
  ...over,
});

describe("assess", () => {
  it("allows a quiet browser with no reasons against it", () => {
    const { verdict, errors } = assess(input());
    expect(verdict).toMatchObject({ action: "allow", score: 0, decidedBy: null });
    expect(errors).toEqual([]);
  });

  it("sums the registry's weights of the signals it is given", () => {
    const signals = [signal("asn-datacenter"), signal("hdr-browser-http1")];
    const { verdict } = assess(input({ signals }));
    expect(verdict.score).toBe(SIGNALS["asn-datacenter"].weight + SIGNALS["hdr-browser-http1"].weight);
    expect(verdict.reasons.map((r) => r.code)).toEqual(["asn-datacenter", "hdr-browser-http1"]);
  });

  it("weighs a signal with the policy's signalWeights override instead of the registry's weight", () => {
    const policy = policyOf({ version: 1, signalWeights: { "asn-datacenter": 65 } });
    const { verdict } = assess(input({ policy, signals: [signal("asn-datacenter")] }));
    expect(verdict.score).toBe(65);
    expect(verdict.reasons).toEqual([{ code: "asn-datacenter", weight: 65 }]);
    expect(verdict.action).toBe("challenge");
  });

  it.each([
    [39, "allow"],
    [40, "challenge"],
    [69, "challenge"],
    [70, "tarpit"],
    [119, "tarpit"],
    [120, "block"],
  ] as const)("turns a score of %i into %s with the moderate thresholds", (weight, action) => {
    const policy = policyOf({ version: 1, signalWeights: { "hdr-old-tls": weight } });
    expect(assess(input({ policy, signals: [signal("hdr-old-tls")] })).verdict.action).toBe(action);
  });

  it("lets a terminal rule decide with a reason that weighs nothing, whatever the score", () => {
    const { verdict } = assess(input({ signals: [signal("verified-crawler", "googlebot"), signal("asn-datacenter")] }));
    expect(verdict.action).toBe("allow");
    expect(verdict.decidedBy).toBe("verified-crawlers");
    expect(verdict.reasons).toContainEqual({ code: "rule:verified-crawlers", weight: 0, detail: "allow" });
    expect(verdict.score).toBe(SIGNALS["verified-crawler"].weight + SIGNALS["asn-datacenter"].weight);
  });

  it("weighs context signals as friction: a hosting network's browser is challenged, never blocked on that alone", () => {
    const network = [signal("asn-datacenter"), signal("browser-from-datacenter"), signal("tor")];
    expect(network.every((r) => CONTEXT_SIGNALS.has(r.code))).toBe(true);
    const { verdict } = assess(input({ signals: network.slice(0, 2) }));
    expect(verdict.action).toBe("challenge");
    // All three weigh in full (60): none is dropped from the score, and friction is all they add.
    const all = assess(input({ signals: network })).verdict;
    expect(all).toMatchObject({ action: "challenge", score: 60 });
  });

  it("caps context past the tarpit score at a challenge; evidence of the client's own, or a rule naming its action, still decide", () => {
    const vpnInFlaggedGroup = [signal("asn-datacenter"), signal("browser-from-datacenter"), signal("fleet", "grp")];
    expect(assess(input({ signals: vpnInFlaggedGroup })).verdict).toMatchObject({ action: "challenge", score: 80 });
    const heavy = policyOf({ version: 1, signalWeights: { fleet: 500 } }); // past the block score, context all the same
    expect(assess(input({ policy: heavy, signals: vpnInFlaggedGroup })).verdict.action).toBe("challenge");
    expect(assess(input({ signals: [...vpnInFlaggedGroup, signal("hdr-headless", "HeadlessChrome")] })).verdict.action).toBe("block");
    const rule = policyOf({ version: 1, rules: [{ name: "no-aws", match: { asn: [16509] }, action: "tarpit" }] });
    const aws = facts({ cf: { asn: 16509 } });
    expect(assess(input({ policy: rule, facts: aws, signals: vpnInFlaggedGroup })).verdict).toMatchObject({
      action: "tarpit",
      decidedBy: "no-aws",
    });
  });

  it("adds the behaviour signals the counts earn: a scripted client past its page budget", () => {
    const counts: BehaviourCounts = { ...quietCounts, ipPages: { m1: 6, m10: 6 }, ipAssets: zero };
    const { verdict } = assess(input({ counts, signals: [signal("ua-scripted")], facts: facts({ userAgent: "curl/8.5.0" }) }));
    expect(verdict.reasons.map((r) => r.code)).toContain("crawl-scripted");
  });

  it("adds the group signal when the client and its fleet group read pages without subresources", () => {
    const counts: BehaviourCounts = { ...quietCounts, ipPages: { m1: 2, m10: 2 }, ipAssets: zero };
    const { verdict } = assess(input({ counts, group: { pages: 40, assets: 0 } }));
    expect(verdict.reasons.map((r) => r.code)).toContain("group-no-subresources");
    expect(assess(input({ counts, group: { pages: 40, assets: 20 } })).verdict.reasons.map((r) => r.code)).not.toContain(
      "group-no-subresources",
    );
  });

  it("blocks a client with a block entry even when its score would allow it", () => {
    const entry: BlocklistEntry = { action: "block", reason: "operator", source: "operator", at: 1 };
    const policy = policyOf({ version: 1, signalWeights: { "blocklist-ip": 0 } });
    expect(assess(input({ policy, entry, signals: [signal("blocklist-ip", "operator")] })).verdict.action).toBe("block");
  });

  it("fails open when a signal throws: the error is returned, the verdict still made", () => {
    const counts = { ...quietCounts, ipPages: undefined } as unknown as BehaviourCounts;
    const { verdict, errors } = assess(input({ counts }));
    expect(verdict.action).toBe("allow");
    expect(errors.length).toBeGreaterThan(0);
  });
});

describe("requestSignals", () => {
  it("finds nothing against a consistent Chrome", () => {
    expect(requestSignals(facts(), context())).toMatchObject({ signals: [], crawler: null, errors: [] });
  });

  it("flags an AI crawler's User-Agent and a spoofed crawler name", () => {
    const gpt = requestSignals(facts({ userAgent: "Mozilla/5.0 (compatible; GPTBot/1.2; +https://openai.com/gptbot)" }), context());
    expect(gpt.signals.map((s) => s.code)).toContain("ua-ai-crawler");
    const spoof = requestSignals(facts({ userAgent: "Mozilla/5.0 (compatible; bingbot/2.0)" }), context());
    expect(spoof.crawler).toEqual({ crawler: "bingbot", verified: false });
    expect(spoof.signals.map((s) => s.code)).toContain("crawler-spoofed");
  });

  it("verifies a crawler from its published range, and an ASN block then does not apply to it", () => {
    const f = facts({ ip: "13.66.139.5" as ClientIp, userAgent: "Mozilla/5.0 (compatible; bingbot/2.0)", cf: { asn: 8075 } });
    const out = requestSignals(f, context({ range: range({ scope: "asn", value: "8075" }) }));
    expect(out.crawler).toEqual({ crawler: "bingbot", verified: true });
    expect(out.range).toBeNull();
    expect(requestSignals(f, context({ range: range() })).range).not.toBeNull(); // a CIDR entry still does
  });

  it("marks an allow-listed range, which clears the client's own list entry", () => {
    const allow = range({ action: "allow" });
    const out = requestSignals(facts(), context({ range: allow }));
    expect(out.signals).toContainEqual(signal("allow-listed", "cidr:198.51.100.0/24"));
    const entry: BlocklistEntry = { action: "block", reason: "x", source: "edge", at: 1 };
    expect(listing(entry, allow)).toEqual({ entry: null, signals: [] });
  });

  it("answers a repeated header set from the memo with the same signals", () => {
    const memo = new LruMap<string, readonly Reason[]>(10);
    const f = facts({ headers: { ...CHROME_HEADERS, "sec-ch-ua": '"Firefox";v="1"' } });
    const first = requestSignals(f, context({ consistencyMemo: memo })).signals;
    expect(memo.size).toBe(1);
    expect(requestSignals(f, context({ consistencyMemo: memo })).signals).toEqual(first);
    expect(first).toEqual(requestSignals(f, context()).signals);
  });

  it("keys the memo on what headerConsistency reads: a browser's pages with other Referers and paths share one entry", () => {
    const memo = new LruMap<string, readonly Reason[]>(10);
    const pages = ["/", "/articles/a", "/articles/b"].map((path, i) =>
      facts({
        path,
        headers: { ...CHROME_HEADERS, referer: `https://site.example/page-${i}`, "accept-encoding": i === 2 ? "gzip" : "br" },
      }),
    );
    const answers = pages.map((f) => requestSignals(f, context({ consistencyMemo: memo })).signals);
    expect(memo.size).toBe(1);
    for (const [i, f] of pages.entries()) expect(answers[i]).toEqual(requestSignals(f, context()).signals);
    // A header it does read is part of the key.
    requestSignals(facts({ headers: { ...CHROME_HEADERS, "accept-language": "" } }), context({ consistencyMemo: memo }));
    expect(memo.size).toBe(2);
  });
});

describe("listing", () => {
  it("holds a client to its range's entry when it has none of its own", () => {
    const out = listing(null, range({ action: "tarpit" }));
    expect(out.entry).toMatchObject({ action: "tarpit", reason: "cidr:198.51.100.0/24 scraper network" });
    expect(out.signals.map((s) => s.code)).toEqual(["honeypot-hit"]);
  });

  it("prefers the client's own entry and signals a block", () => {
    const own: BlocklistEntry = { action: "block", reason: "seen scraping", source: "escalation", at: 1 };
    expect(listing(own, range({ action: "tarpit" }))).toEqual({ entry: own, signals: [signal("blocklist-ip", "seen scraping")] });
  });
});

describe("weighsAgainst", () => {
  it("is true once the registry weights sum above zero, false for a verified crawler from a hosting network", () => {
    expect(weighsAgainst([])).toBe(false);
    expect(weighsAgainst([signal("asn-datacenter")])).toBe(true);
    expect(weighsAgainst([signal("asn-datacenter"), signal("verified-crawler", "googlebot")])).toBe(false);
  });
});
