import type { z } from "zod";
import { constantTimeEqual } from "../../core/admin/totp";
import { WEBHOOK_TOLERANCE_S, parseSignatureHeader, type WebhookError } from "../../core/payments/gateway";
import { fail, ok, type Result } from "../../core/result";

/** Hex HMAC-SHA256 of `payload` under `secret` (UTF-8). */
export async function hmacSha256Hex(secret: string, payload: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(payload)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Checks a `t=…,<scheme>=…` signature over `${t}.${body}` (Stripe's scheme: https://docs.stripe.com/webhooks#verify-manually):
 * one of the signatures must match in constant time, and `t` must be within WEBHOOK_TOLERANCE_S of `nowS` either way.
 */
export async function verifyTimestampedHmac(
  secret: string,
  body: string,
  header: string | null,
  scheme: string,
  nowS: number,
): Promise<Result<null, WebhookError>> {
  if (header === null || header === "") return fail("signature_missing");
  const parsed = parseSignatureHeader(header, scheme);
  if (parsed === null) return fail("signature_invalid");
  const expected = await hmacSha256Hex(secret, `${parsed.timestamp}.${body}`);
  // Every candidate is compared (no early return), so timing does not reveal which one matched.
  const matched = parsed.signatures.map((s) => constantTimeEqual(s, expected)).includes(true);
  if (!matched) return fail("signature_invalid");
  if (Math.abs(nowS - parsed.timestamp) > WEBHOOK_TOLERANCE_S) return fail("signature_expired");
  return ok(null);
}

/**
 * A gateway's webhook: the signature checked (`verifyTimestampedHmac`), then the body read as JSON with `schema`;
 * `payload_invalid` when it is not JSON or not that shape. Both gateways' `verifyWebhook` start here.
 */
export async function verifiedWebhookPayload<T>(
  schema: z.ZodType<T>,
  secret: string,
  body: string,
  header: string | null,
  scheme: string,
  nowS: number,
): Promise<Result<T, WebhookError>> {
  const verified = await verifyTimestampedHmac(secret, body, header, scheme, nowS);
  if (!verified.ok) return verified;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return fail("payload_invalid");
  }
  const event = schema.safeParse(json);
  return event.success ? ok(event.data) : fail("payload_invalid");
}
