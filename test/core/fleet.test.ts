import { describe, expect, it } from "vitest";
import type { SignalCode } from "../../core/signals/registry";
import { readEvidence } from "../../core/automation-evidence";
import {
  FLEET_FLAG_MS,
  FLEET_MIN_ADDRESSES,
  FLEET_REPUBLISH_MS,
  fleetEvidence,
  fleetFlag,
  fleetGroup,
  groupSignals,
  GROUP_PAGES_WITHOUT_ASSETS,
} from "../../core/fleet";
import { mergeFleetIndex, FLEET_INDEX_MAX_GROUPS, type FlaggedGroup } from "../../core/fleet-index";
import { budgetOverrun, PASS_BUDGETS } from "../../core/pass-budget";
import { CHROME_NAVIGATION_HEADERS } from "../support/browser-headers";

const { "user-agent": UA, ...HEADERS } = CHROME_NAVIGATION_HEADERS;
const facts = (cf = {}, headers: Record<string, string> = HEADERS) => ({ userAgent: UA ?? "", headers, cf });

describe("fleetGroup", () => {
  it("is the same for one client's headers from any address, and differs with headers or TLS traits", () => {
    expect(fleetGroup(facts())).toBe(fleetGroup(facts()));
    expect(fleetGroup(facts({}, { ...HEADERS, "accept-language": "de-DE" }))).not.toBe(fleetGroup(facts()));
    expect(fleetGroup(facts({ tlsCipher: "AEAD-AES128-GCM-SHA256" }))).not.toBe(
      fleetGroup(facts({ tlsCipher: "AEAD-CHACHA20-POLY1305-SHA256" })),
    );
    expect(fleetGroup(facts({ ja4: "t13d1516h2_8daaf6152771_b186095e22b6" }))).not.toBe(fleetGroup(facts()));
  });
  it("puts a page and its subresources in one group (their Accept and Sec-Fetch-* differ)", () => {
    const stylesheet = { ...HEADERS, accept: "text/css,*/*;q=0.1", "sec-fetch-mode": "no-cors", "sec-fetch-dest": "style" };
    delete (stylesheet as Record<string, string | undefined>)["sec-fetch-user"];
    expect(fleetGroup(facts({}, stylesheet))).toBe(fleetGroup(facts()));
  });
});

describe("fleetEvidence", () => {
  const r = (code: SignalCode, weight = 10) => ({ code, weight });
  it("keeps the codes that are bot evidence, once each", () => {
    expect(
      fleetEvidence(facts(), [r("trap-path", 60), r("trap-path", 60), r("no-subresources"), r("asn-datacenter"), r("ua-scripted")]),
    ).toEqual(["trap-path", "no-subresources"]);
  });
  it("never counts a trap request a third party caused: cross-site, or any subresource", () => {
    const crossSite = { ...HEADERS, "sec-fetch-site": "cross-site" };
    const image = { ...HEADERS, "sec-fetch-dest": "image" };
    expect(fleetEvidence(facts({}, crossSite), [r("trap-path", 60), r("honeypot-foreign", 20)])).toEqual([]);
    expect(fleetEvidence(facts({}, image), [r("trap-path", 60)])).toEqual([]);
    expect(fleetEvidence(facts({}, crossSite), [r("robots-violation", 50)])).toEqual(["robots-violation"]);
  });
  it("ignores a code whose weight the policy set to 0 or below", () => {
    expect(fleetEvidence(facts(), [r("no-subresources", 0)])).toEqual([]);
  });
});

describe("groupSignals", () => {
  const bare = { pages: 2, assets: 0 };
  it("fires when a group reads many pages with hardly any subresource, a favicon included", () => {
    expect(groupSignals({ pages: GROUP_PAGES_WITHOUT_ASSETS, assets: 1 }, bare, false, false).map((s) => s.code)).toEqual([
      "group-no-subresources",
    ]);
    expect(groupSignals({ pages: GROUP_PAGES_WITHOUT_ASSETS - 1, assets: 0 }, bare, false, false)).toEqual([]);
    expect(groupSignals({ pages: 100, assets: 10 }, bare, false, false)).toEqual([]);
  });
  it("never names a member that loads subresources itself, nor one on its first page (a person of the same build)", () => {
    expect(groupSignals({ pages: 100, assets: 0 }, { pages: 5, assets: 12 }, false, false)).toEqual([]);
    expect(groupSignals({ pages: 100, assets: 0 }, { pages: 1, assets: 0 }, false, false)).toEqual([]);
  });
  it("leaves text browsers and declared bots to their own signals", () => {
    expect(groupSignals({ pages: 100, assets: 0 }, bare, true, false)).toEqual([]);
    expect(groupSignals({ pages: 100, assets: 0 }, bare, false, true)).toEqual([]);
  });
});

describe("mergeFleetIndex", () => {
  const g = (group: string, until: number): FlaggedGroup => ({
    group,
    since: 0,
    until,
    members: [],
    addresses: 3,
    evidence: {},
    userAgent: "",
  });
  it("replaces a group's entry, drops expired ones, and keeps the newest within the bound", () => {
    const merged = mergeFleetIndex({ at: 0, groups: [g("a", 50), g("b", 500), g("c", 5)] }, g("a", 900), 10);
    expect(merged.groups.map((x) => [x.group, x.until])).toEqual([
      ["a", 900],
      ["b", 500],
    ]);
    const many = { at: 0, groups: Array.from({ length: FLEET_INDEX_MAX_GROUPS }, (_, i) => g(`g${i}`, 1000 + i)) };
    const full = mergeFleetIndex(many, g("new", 5000), 10);
    expect(full.groups).toHaveLength(FLEET_INDEX_MAX_GROUPS);
    expect(full.groups[0]?.group).toBe("new");
    expect(full.groups.some((x) => x.group === "g0")).toBe(false);
  });
});

describe("pass budgets", () => {
  it("names the first window a pass holder went past; the hour is machine pace", () => {
    const js = PASS_BUDGETS.pow;
    expect(budgetOverrun({ m1: js.perMinute, m10: js.perMinute, h1: js.perMinute }, js)).toBeNull();
    expect(budgetOverrun({ m1: js.perMinute + 1, m10: js.perMinute + 1, h1: js.perMinute + 1 }, js)).toBe("minute");
    expect(budgetOverrun({ m1: 1, m10: js.per10Minutes + 1, h1: js.per10Minutes + 1 }, js)).toBe("10-minutes");
    expect(budgetOverrun({ m1: 1, m10: 1, h1: js.perHour + 1 }, js)).toBe("hour");
  });
  it("gives a no-JS pass a smaller budget than a JavaScript proof", () => {
    expect(PASS_BUDGETS.nojs.per10Minutes).toBeLessThan(PASS_BUDGETS.pow.per10Minutes);
    expect(PASS_BUDGETS.nojs.perHour).toBeLessThan(PASS_BUDGETS.pow.perHour);
  });
});

describe("readEvidence", () => {
  it("compares the page's navigator.userAgent with the header", () => {
    expect(readEvidence("", UA ?? "", UA ?? "")).toEqual({ ok: true, value: { flags: [], automation: false } });
    expect(readEvidence("", "Mozilla/5.0 other", UA ?? "")).toEqual({ ok: true, value: { flags: ["ua-mismatch"], automation: true } });
    expect(readEvidence(null, UA ?? "", UA ?? "")).toEqual({ ok: false, error: "missing" });
    expect(readEvidence("no-languages", UA ?? "", UA ?? "")).toEqual({ ok: true, value: { flags: ["no-languages"], automation: false } });
  });
});

describe("fleetFlag", () => {
  const T = 1_000_000;
  it("flags a group once enough addresses showed evidence, and not before", () => {
    expect(fleetFlag(FLEET_MIN_ADDRESSES - 1, 0, T)).toBeNull();
    expect(fleetFlag(FLEET_MIN_ADDRESSES, 0, T)).toEqual({ until: T + FLEET_FLAG_MS, first: true, publish: true });
  });
  it("extends a running flag only when it moves far enough, so a busy fleet does not rewrite KV per request", () => {
    const until = T + FLEET_FLAG_MS;
    expect(fleetFlag(5, until, T + 1)).toEqual({ until, first: false, publish: false });
    expect(fleetFlag(5, until, T + FLEET_REPUBLISH_MS)).toEqual({
      until: T + FLEET_REPUBLISH_MS + FLEET_FLAG_MS,
      first: false,
      publish: true,
    });
    expect(fleetFlag(5, until, until + 1)).toEqual({ until: until + 1 + FLEET_FLAG_MS, first: true, publish: true });
  });
});
