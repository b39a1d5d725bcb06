import { z } from "zod";
import { MICROS_PER_CENT, centsOf, type GatewayEvent, type PaymentGateway, type WebhookError } from "../../core/payments/gateway";
import { fail, ok, type Result } from "../../core/result";
import { gatewayPost, idOf } from "./gateway-post";
import { verifiedWebhookPayload } from "./webhook-signature";

/** Stripe's API (production). Tests and local dev point `apiBase` at a stand-in on 127.0.0.1. */
export const STRIPE_API_BASE = "https://api.stripe.com";
/** The API version this adapter speaks (sent as `Stripe-Version`, so an account's default cannot change the shapes). */
export const STRIPE_API_VERSION = "2024-06-20";

export interface StripeConfig {
  readonly secretKey: string;
  readonly webhookSecret: string;
  readonly apiBase: string;
}

// Only the fields read here; Stripe sends many more.
const StripeEventSchema = z.object({
  id: z.string().min(1).max(255),
  type: z.string().min(1).max(255),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});
const SucceededIntentSchema = z.object({
  object: z.literal("payment_intent"),
  currency: z.literal("usd"),
  amount_received: z.int().positive(),
  metadata: z.object({ edge_guard_account: z.string().min(3).max(300) }),
});

const StripeErrorSchema = z.object({ error: z.object({ message: z.string() }) });

/**
 * Stripe over its HTTP API: form-encoded requests with the secret key as Bearer token and an Idempotency-Key on every
 * POST; webhooks verified with `Stripe-Signature` (HMAC-SHA256 over `t.body`, timestamp tolerance, constant-time
 * compare). A top-up is a PaymentIntent whose metadata names the account; `payment_intent.succeeded` credits it.
 */
export function stripeGateway(config: StripeConfig, fetcher: typeof fetch = fetch): PaymentGateway {
  const post = (path: string, form: Record<string, string>, idempotencyKey: string) =>
    gatewayPost(
      fetcher,
      "Stripe",
      `${config.apiBase}${path}`,
      path,
      {
        headers: {
          authorization: `Bearer ${config.secretKey}`,
          "content-type": "application/x-www-form-urlencoded",
          "idempotency-key": idempotencyKey,
          "stripe-version": STRIPE_API_VERSION,
        },
        body: new URLSearchParams(form).toString(),
      },
      // Stripe's error message names the problem (bad amount, unknown customer); it never echoes the key.
      (body) => {
        const reason = StripeErrorSchema.safeParse(body);
        return reason.success ? reason.data.error.message.slice(0, 300) : null;
      },
    );

  return {
    name: "stripe",
    async createCustomer({ accountId, name, email }) {
      const form: Record<string, string> = { name, "metadata[edge_guard_account]": accountId };
      if (email !== null) form.email = email;
      const created = await post("/v1/customers", form, `customer:${accountId}`);
      return created.ok ? ok({ customerId: idOf(created.value) }) : created;
    },
    async topUp({ customerId, accountId, micros, idempotencyKey }) {
      const cents = centsOf(micros);
      if (cents === null)
        return fail({
          code: "invalid_amount",
          message: `a top-up is a positive whole number of cents (${MICROS_PER_CENT} micro-dollars each)`,
        });
      const created = await post(
        "/v1/payment_intents",
        {
          amount: String(cents),
          currency: "usd",
          customer: customerId,
          "automatic_payment_methods[enabled]": "true",
          "metadata[edge_guard_account]": accountId,
        },
        idempotencyKey,
      );
      return created.ok ? ok({ paymentId: idOf(created.value), status: String(created.value.status ?? "") }) : created;
    },
    async refund({ paymentId, micros, idempotencyKey }) {
      const cents = centsOf(micros);
      if (cents === null) return fail({ code: "invalid_amount", message: "a refund is a positive whole number of cents" });
      const created = await post("/v1/refunds", { payment_intent: paymentId, amount: String(cents) }, idempotencyKey);
      return created.ok ? ok({ refundId: idOf(created.value) }) : created;
    },
    async verifyWebhook(body, signature, nowS): Promise<Result<GatewayEvent, WebhookError>> {
      const event = await verifiedWebhookPayload(StripeEventSchema, config.webhookSecret, body, signature, "v1", nowS);
      if (!event.ok) return event;
      if (event.value.type !== "payment_intent.succeeded") return ok({ kind: "ignored", eventId: event.value.id, type: event.value.type });
      const intent = SucceededIntentSchema.safeParse(event.value.data.object);
      if (!intent.success)
        return ok({ kind: "ignored", eventId: event.value.id, type: `${event.value.type} (not an edge-guard USD top-up)` });
      return ok({
        kind: "topup",
        eventId: event.value.id,
        accountId: intent.data.metadata.edge_guard_account,
        micros: intent.data.amount_received * MICROS_PER_CENT,
      });
    },
  };
}
