import { describe, expect, it } from "vitest";
import { AccountSettingsSchema, IMPLICIT_TERMS, checkCharge, type AccountTerms } from "../../core/crawler-account";
import { csvRecord, usdText } from "../../core/csv";
import { LedgerBatchSchema } from "../../core/ledger-entry";
import { priceDryRun } from "../../core/pay-per-crawl-dry-run";
import { centsOf, parseSignatureHeader } from "../../core/payments/gateway";
import { compilePolicy } from "../../core/policy/compile";
import { parseReportMessage } from "../../core/report";

const prepaid = (balanceMicros: number, over: Partial<AccountTerms> = {}): AccountTerms => ({
  ...IMPLICIT_TERMS,
  prepaid: true,
  balanceMicros,
  ...over,
});

describe("checkCharge", () => {
  it("refuses an account that is not active before anything else", () => {
    expect(checkCharge({ ...IMPLICIT_TERMS, state: "suspended", priceMicros: 99 }, 10, 0, 0)).toEqual({
      ok: false,
      status: "forbidden",
      state: "suspended",
    });
    expect(checkCharge({ ...IMPLICIT_TERMS, state: "pending" }, 10, 0, null)).toMatchObject({ status: "forbidden", state: "pending" });
  });
  it("charges the whole balance, and not a micro-dollar more", () => {
    expect(checkCharge(prepaid(10), 10, 0, null)).toEqual({ ok: true, micros: 10 });
    expect(checkCharge(prepaid(9), 10, 0, null)).toEqual({ ok: false, status: "insufficient-funds", balanceMicros: 9 });
  });
  it("reaches a cap exactly, and refuses past it, whichever cap is lower", () => {
    expect(checkCharge(IMPLICIT_TERMS, 10, 90, 100)).toEqual({ ok: true, micros: 10 });
    expect(checkCharge(IMPLICIT_TERMS, 10, 91, 100)).toMatchObject({ status: "over-cap", spentMicros: 91 });
    expect(checkCharge({ ...IMPLICIT_TERMS, capMicros: 50 }, 10, 45, 100)).toMatchObject({ status: "over-cap" });
  });
  it("charges a negotiated rate up to the agreed price, and quotes a higher one", () => {
    expect(checkCharge({ ...IMPLICIT_TERMS, priceMicros: 10 }, 10, 0, null)).toEqual({ ok: true, micros: 10 });
    expect(checkCharge({ ...IMPLICIT_TERMS, priceMicros: 0 }, 10, 0, null)).toEqual({ ok: true, micros: 0 });
    expect(checkCharge({ ...IMPLICIT_TERMS, priceMicros: 11 }, 10, 0, null)).toEqual({ ok: false, status: "over-price", priceMicros: 11 });
  });
});

describe("account settings and ledger batches", () => {
  it("takes whole micro-dollars only", () => {
    expect(AccountSettingsSchema.safeParse({ priceMicros: 1.5 }).success).toBe(false);
    expect(AccountSettingsSchema.safeParse({ capMicros: -1 }).success).toBe(false);
    expect(AccountSettingsSchema.safeParse({ state: "closed" }).success).toBe(false);
    expect(AccountSettingsSchema.safeParse({ capMicros: null, state: "active" }).success).toBe(true);
  });
  it("reads a v3 ledger batch off the reports queue, and refuses an empty one", () => {
    const batch = {
      v: 3,
      kind: "ledger",
      account: "t https://c.example",
      entries: [{ key: "charge-key", kind: "charge", micros: 1, at: 1 }],
    };
    expect(parseReportMessage(batch)).toEqual({ kind: "ledger", batch });
    expect(parseReportMessage({ ...batch, entries: [] }).kind).toBe("refused");
    expect(LedgerBatchSchema.safeParse({ ...batch, entries: [{ key: "charge-key", kind: "bonus", micros: 1, at: 1 }] }).success).toBe(
      false,
    );
  });
});

describe("csv and the price dry run", () => {
  it("quotes what needs quoting and defuses formulas", () => {
    expect(csvRecord(["a,b", 'say "hi"', null, 5, "=1+1", "-2"])).toBe(`"a,b","say ""hi""",,5,'=1+1,'-2\r\n`);
    expect(usdText(10_000)).toBe("0.010000");
    expect(usdText(-1_250_000)).toBe("-1.250000");
  });
  it("prices only paths a crawler with no terms of its own would pay for", () => {
    const compiled = compilePolicy({
      version: 1,
      payPerCrawl: {
        prices: [
          { path: "/articles/premium-*", price: "USD 0.05", crawlers: ["friend-bot"] },
          { path: "/premium/*", price: "in-band" },
          { path: "/articles/*", price: "USD 0.01" },
        ],
        freePaths: ["/articles/free-*"],
      },
    });
    if (!compiled.ok || compiled.value.payPerCrawl === null) throw new Error("fixture policy compiles");
    const run = priceDryRun(compiled.value.payPerCrawl, [
      { path: "/articles/a?x=1", requests: 2 },
      { path: "/articles/a", requests: 1 },
      { path: "/articles/premium-b", requests: 4 },
      { path: "/articles/free-c", requests: 10 },
      { path: "/robots.txt", requests: 5 },
      { path: "/premium/c", requests: 6 },
    ]);
    expect(run).toEqual({
      requests: 28,
      pricedRequests: 7,
      inBandRequests: 6,
      estimatedMicros: 70_000,
      topPaths: [
        { path: "/articles/premium-b", requests: 4, priceMicros: 10_000, micros: 40_000 },
        { path: "/articles/a", requests: 3, priceMicros: 10_000, micros: 30_000 },
      ],
    });
  });
});

describe("payment gateways: amounts and signature headers", () => {
  const HEX = "a".repeat(64);
  it("moves whole cents only", () => {
    expect(centsOf(10_000)).toBe(1);
    expect(centsOf(12_345)).toBeNull();
    expect(centsOf(0)).toBeNull();
  });
  it("reads every signature of the scheme and the timestamp; refuses a header without either", () => {
    expect(parseSignatureHeader(`t=1700000000,v1=${HEX},v0=${"b".repeat(64)},v1=${"c".repeat(64)}`, "v1")).toEqual({
      timestamp: 1700000000,
      signatures: [HEX, "c".repeat(64)],
    });
    expect(parseSignatureHeader(`v1=${HEX}`, "v1")).toBeNull();
    expect(parseSignatureHeader("t=1700000000,v1=short", "v1")).toBeNull();
    expect(parseSignatureHeader(`t=soon,v1=${HEX}`, "v1")).toBeNull();
    expect(parseSignatureHeader(`t=1700000000,sha256=${HEX}`, "v1")).toBeNull();
  });
});
