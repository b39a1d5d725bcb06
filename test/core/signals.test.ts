import { describe, expect, it } from "vitest";
import type { SignalCode } from "../../core/signals/registry";
import { headerFingerprint } from "../../core/fingerprint";
import { behaviourSignals, declaredBotBudget, DEFAULT_BEHAVIOUR_LIMITS, type BehaviourCounts } from "../../core/signals/behaviour";
import { networkSignals } from "../../core/signals/network";
import { isTextBrowser, userAgentSignals } from "../../core/signals/user-agent-class";

const zero = { m1: 0, m10: 0 };
const calm: BehaviourCounts = {
  ip: { m1: 3, m10: 10 },
  ipPages: { m1: 2, m10: 6 },
  ipAssets: { m1: 4, m10: 12 },
  ipTarpit: zero,
  prefix: { m1: 3, m10: 10 },
  asn: null,
  fingerprint: { m1: 3, m10: 10 },
};
const browser = { textBrowser: false, scripted: false };
const lynx = { textBrowser: true, scripted: false };
const codes = (reasons: ReadonlyArray<{ code: string }>) => reasons.map((r) => r.code);

describe("behaviourSignals", () => {
  it("says nothing about a calm browser", () => {
    expect(behaviourSignals(calm, browser)).toEqual([]);
  });

  it("flags a burst, scaling with the rate", () => {
    const limit = DEFAULT_BEHAVIOUR_LIMITS.ipPerMinute;
    expect(codes(behaviourSignals({ ...calm, ip: { m1: limit, m10: limit } }, browser))).toEqual([]);
    expect(codes(behaviourSignals({ ...calm, ip: { m1: limit + 1, m10: limit + 1 } }, browser))).toEqual(["rate-ip"]);
    expect(codes(behaviourSignals({ ...calm, ip: { m1: limit * 2 + 1, m10: limit * 2 + 1 } }, browser))).toEqual(["rate-ip-burst"]);
  });

  it("flags a rotating-IP crawler through its prefix and fingerprint even when each IP is slow", () => {
    const signals = behaviourSignals({ ...calm, prefix: { m1: 500, m10: 900 }, fingerprint: { m1: 9000, m10: 20000 } }, browser);
    expect(codes(signals)).toEqual(["rate-prefix", "rate-fingerprint"]);
  });

  it("flags a client that reads many pages and never loads a subresource, except a text browser", () => {
    const scraper = { ...calm, ipPages: { m1: 8, m10: 8 }, ipAssets: zero };
    expect(codes(behaviourSignals(scraper, browser))).toEqual(["no-subresources"]);
    expect(behaviourSignals(scraper, lynx)).toEqual([]);
    expect(behaviourSignals({ ...scraper, ipPages: { m1: 7, m10: 7 } }, browser)).toEqual([]);
  });

  it("lets a scripting tool fetch a few pages and flags it when it crawls", () => {
    const curl = { textBrowser: false, scripted: true };
    const pages = (n: number) => ({ ...calm, ipPages: { m1: n, m10: n } });
    expect(behaviourSignals(pages(DEFAULT_BEHAVIOUR_LIMITS.scriptedPages), curl)).toEqual([]);
    expect(codes(behaviourSignals(pages(DEFAULT_BEHAVIOUR_LIMITS.scriptedPages + 1), curl))).toEqual(["crawl-scripted"]);
    expect(behaviourSignals(pages(DEFAULT_BEHAVIOUR_LIMITS.scriptedPages + 1), browser)).toEqual([]);
  });

  it("holds a declared bot to one page per ten minutes, counting pages only", () => {
    const bot = { textBrowser: false, scripted: false, declaredBot: "declared" as const, page: true };
    const pages = (n: number) => ({ ...calm, ipPages: { m1: n, m10: n }, ipAssets: zero });
    expect(behaviourSignals(pages(DEFAULT_BEHAVIOUR_LIMITS.declaredBotPages), bot)).toEqual([]);
    expect(codes(behaviourSignals(pages(DEFAULT_BEHAVIOUR_LIMITS.declaredBotPages + 1), bot))).toEqual(["bot-over-budget"]);
    // A feed poll (or robots.txt) after the budget is spent is not a page: the feed reader keeps its feed.
    expect(behaviourSignals(pages(3), { ...bot, page: false })).toEqual([]);
    expect(behaviourSignals(pages(3), { ...bot, declaredBot: null })).toEqual([]);
  });

  it("lets a link-preview fetcher preview many links a minute from one address, not a crawl", () => {
    const slack = { textBrowser: false, scripted: false, declaredBot: "link-preview" as const, page: true };
    const limit = DEFAULT_BEHAVIOUR_LIMITS.linkPreviewPagesPerMinute;
    expect(behaviourSignals({ ...calm, ipPages: { m1: limit, m10: limit * 5 } }, slack)).toEqual([]);
    expect(codes(behaviourSignals({ ...calm, ipPages: { m1: limit + 1, m10: limit + 1 } }, slack))).toEqual(["bot-over-budget"]);
  });

  it("budgets neither verified crawlers nor AI crawlers nor browsers", () => {
    const s = (...c: SignalCode[]) => c.map((code) => ({ code, weight: 1 }));
    expect(declaredBotBudget(s("ua-declared-bot"))).toBe("declared");
    expect(declaredBotBudget(s("ua-feed-reader"))).toBe("declared");
    expect(declaredBotBudget(s("ua-link-preview", "asn-datacenter"))).toBe("link-preview");
    expect(declaredBotBudget(s("ua-declared-bot", "verified-crawler"))).toBeNull();
    expect(declaredBotBudget(s("ua-declared-bot", "web-bot-auth"))).toBeNull();
    expect(declaredBotBudget(s("ua-ai-crawler"))).toBeNull();
    expect(declaredBotBudget(s("ua-scripted"))).toBeNull();
    expect(declaredBotBudget([])).toBeNull();
  });

  it("remembers a tarpit visitor", () => {
    expect(codes(behaviourSignals({ ...calm, ipTarpit: { m1: 0, m10: 2 } }, browser))).toEqual(["tarpit-visitor"]);
  });
});

describe("userAgentSignals", () => {
  it("classifies declared crawlers, scripting tools and empty agents", () => {
    expect(codes(userAgentSignals("Mozilla/5.0 (compatible; GPTBot/1.2)"))).toEqual(["ua-ai-crawler"]);
    expect(codes(userAgentSignals("python-requests/2.31.0"))).toEqual(["ua-scripted"]);
    expect(codes(userAgentSignals(""))).toEqual(["ua-empty"]);
    expect(userAgentSignals("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")).toEqual([]);
  });

  it("knows text browsers", () => {
    expect(isTextBrowser("Lynx/2.9.0dev.12 libwww-FM/2.14 SSL-MM/1.4.1 GNUTLS/3.7.9")).toBe(true);
    expect(isTextBrowser("w3m/0.5.3+git20230121")).toBe(true);
    expect(isTextBrowser("Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0")).toBe(false);
  });
});

describe("networkSignals", () => {
  it("weighs hosting networks and Tor, and nothing for an eyeball network", () => {
    expect(codes(networkSignals({ asn: 16509 }))).toEqual(["asn-datacenter"]);
    expect(codes(networkSignals({ country: "T1" }))).toEqual(["tor"]);
    expect(networkSignals({ asn: 3320, country: "DE" })).toEqual([]);
  });
});

describe("headerFingerprint", () => {
  it("is stable for the same software and differs when a header differs", () => {
    const h = { accept: "text/html", "accept-language": "en-US" };
    expect(headerFingerprint("UA", h)).toBe(headerFingerprint("UA", { ...h }));
    expect(headerFingerprint("UA", h)).not.toBe(headerFingerprint("UA", { ...h, "accept-language": "de" }));
    expect(headerFingerprint("UA", h)).not.toBe(headerFingerprint("UA2", h));
  });
});
