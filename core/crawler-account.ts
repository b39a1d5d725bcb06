import { z } from "zod";

/** An account's life: `pending` (self-registered, awaiting the operator), `active`, or `suspended` (refused at the edge). */
export const AccountStateSchema = z.enum(["pending", "active", "suspended"]);
export type AccountState = z.infer<typeof AccountStateSchema>;

/** Whole micro-dollars: no floats anywhere money is counted. Up to 10^12 (one million dollars). */
export const MicrosSchema = z.int().min(0).max(1_000_000_000_000);

/**
 * What the operator sets on an account. `priceMicros`: a negotiated rate per request, charged instead of the
 * policy's price when it is not higher than what the crawler agreed to pay; `capMicros`: a spend cap on top of the
 * policy's; `prepaid`: charges draw on a balance that never goes below zero. null clears a value.
 */
export const AccountSettingsSchema = z.strictObject({
  state: AccountStateSchema.optional(),
  prepaid: z.boolean().optional(),
  priceMicros: MicrosSchema.nullable().optional(),
  capMicros: MicrosSchema.nullable().optional(),
});
export type AccountSettings = z.infer<typeof AccountSettingsSchema>;

/** An account as its CrawlerAccount Durable Object holds it. */
export interface AccountTerms {
  readonly state: AccountState;
  readonly prepaid: boolean;
  readonly balanceMicros: number;
  readonly priceMicros: number | null;
  readonly capMicros: number | null;
}

/**
 * A crawler the policy trusts but the operator never set up: active, postpaid, the policy's prices and cap. The
 * policy's trust is the operator's approval (so pay per crawl works before any account exists).
 */
export const IMPLICIT_TERMS: AccountTerms = { state: "active", prepaid: false, balanceMicros: 0, priceMicros: null, capMicros: null };

/** Why a charge was refused, or what it will cost. */
export type ChargeCheck =
  | { readonly ok: true; readonly micros: number }
  | { readonly ok: false; readonly status: "forbidden"; readonly state: AccountState }
  | { readonly ok: false; readonly status: "over-price"; readonly priceMicros: number }
  | { readonly ok: false; readonly status: "over-cap"; readonly spentMicros: number }
  | { readonly ok: false; readonly status: "insufficient-funds"; readonly balanceMicros: number };

/**
 * Decides one charge of an agreed `agreedMicros` against an account's terms, given what it has spent (net of
 * refunds) and the policy's cap. Order: state, price, caps, balance; a prepaid balance never goes negative.
 */
export function checkCharge(terms: AccountTerms, agreedMicros: number, spentMicros: number, policyCapMicros: number | null): ChargeCheck {
  if (terms.state !== "active") return { ok: false, status: "forbidden", state: terms.state };
  const micros = terms.priceMicros ?? agreedMicros;
  if (micros > agreedMicros) return { ok: false, status: "over-price", priceMicros: micros };
  for (const cap of [policyCapMicros, terms.capMicros]) {
    if (cap !== null && spentMicros + micros > cap) return { ok: false, status: "over-cap", spentMicros };
  }
  if (terms.prepaid && terms.balanceMicros < micros) return { ok: false, status: "insufficient-funds", balanceMicros: terms.balanceMicros };
  return { ok: true, micros };
}

/** The id of an account: the crawler's Web Bot Auth key thumbprint (RFC 7638) and its key directory's origin. */
export function accountId(thumbprint: string, directory: string): string {
  return `${thumbprint} ${directory}`;
}

/** A thumbprint is base64url SHA-256 (43 characters); a directory is an https origin (http only on loopback, for dev). */
export const ThumbprintSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "a base64url SHA-256 JWK thumbprint (43 characters)");
export const DirectorySchema = z
  .string()
  .max(200)
  .regex(/^(https:\/\/[a-z0-9.-]+(:\d{1,5})?|http:\/\/127\.0\.0\.1:\d{1,5})$/, "an https origin, e.g. https://crawler.example");
