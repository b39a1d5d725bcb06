import type { Result } from "../result";

/** Micro-dollars per cent: gateways move whole cents, the ledger counts micro-dollars. */
export const MICROS_PER_CENT = 10_000;
/** How old a signed webhook may be (seconds) before it is refused as a replay; Stripe's own libraries use 300. */
export const WEBHOOK_TOLERANCE_S = 300;

/** A payment provider, as admin uses it to fund prepaid crawler accounts. Amounts are micro-dollars (whole cents). */
export interface PaymentGateway {
  readonly name: GatewayName;
  /** Registers the account with the provider; the returned id is kept with the account. */
  createCustomer(input: {
    readonly accountId: string;
    readonly name: string;
    readonly email: string | null;
  }): Promise<Result<{ readonly customerId: string }, GatewayError>>;
  /**
   * Starts a top-up of `micros` for `customerId`; the balance is credited when the provider's webhook confirms it
   * (never on this answer). `idempotencyKey` makes a retried call one payment.
   */
  topUp(input: TopUpRequest): Promise<Result<{ readonly paymentId: string; readonly status: string }, GatewayError>>;
  /** Refunds `micros` of payment `paymentId`, once per `idempotencyKey`. */
  refund(input: {
    readonly paymentId: string;
    readonly micros: number;
    readonly idempotencyKey: string;
  }): Promise<Result<{ readonly refundId: string }, GatewayError>>;
  /** Checks a webhook's signature and age, then reads it: an event that credits an account, or one to acknowledge and ignore. */
  verifyWebhook(body: string, signature: string | null, nowS: number): Promise<Result<GatewayEvent, WebhookError>>;
}

export type GatewayName = "stripe" | "http";

export interface TopUpRequest {
  readonly customerId: string;
  readonly accountId: string;
  readonly micros: number;
  readonly idempotencyKey: string;
}

/** A verified webhook: a completed top-up (its event id is the ledger key, so a replay credits once), or anything else. */
export type GatewayEvent =
  | { readonly kind: "topup"; readonly eventId: string; readonly accountId: string; readonly micros: number }
  | { readonly kind: "ignored"; readonly eventId: string; readonly type: string };

/** A provider call that failed: `code` is stable; `message` is for the operator (never a secret). */
export interface GatewayError {
  readonly code: "gateway_unreachable" | "gateway_refused" | "invalid_amount";
  readonly message: string;
}

/** Why a webhook was refused (answered 400 with this code; nothing is credited). */
export type WebhookError = "signature_missing" | "signature_invalid" | "signature_expired" | "payload_invalid";

/** Whole cents of `micros`, or null when it is not a positive whole number of cents. */
export function centsOf(micros: number): number | null {
  return Number.isSafeInteger(micros) && micros > 0 && micros % MICROS_PER_CENT === 0 ? micros / MICROS_PER_CENT : null;
}

/**
 * Reads a `t=…,v1=…` signature header (Stripe's `Stripe-Signature`; the generic gateway uses the same shape with
 * `sha256=`): the timestamp and every signature of `scheme`. null when malformed.
 */
export function parseSignatureHeader(
  header: string,
  scheme: string,
): { readonly timestamp: number; readonly signatures: readonly string[] } | null {
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 1) return null;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t") timestamp = /^\d{1,12}$/.test(value) ? Number(value) : null;
    else if (key === scheme && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  return timestamp === null || signatures.length === 0 ? null : { timestamp, signatures };
}
