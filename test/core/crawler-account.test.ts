import { describe, expect, it } from "vitest";
import { AccountSettingsSchema, IMPLICIT_TERMS, checkCharge, type AccountTerms } from "../../core/crawler-account";
import { LedgerBatchSchema } from "../../core/ledger-entry";
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
