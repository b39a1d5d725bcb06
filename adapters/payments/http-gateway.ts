import { z } from "zod";
import { centsOf, type GatewayError, type GatewayEvent, type PaymentGateway, type WebhookError } from "../../core/payments/gateway";
import { fail, ok, type Result } from "../../core/result";
import { gatewayPost, idOf } from "./gateway-post";
import { verifiedWebhookPayload } from "./webhook-signature";

export interface HttpGatewayConfig {
  /** e.g. `https://payments.example/api`: POST /customers, /topups, /refunds. */
  readonly apiBase: string;
  readonly apiToken: string;
  readonly webhookSecret: string;
}

/** The generic gateway's webhook: `X-Signature: t=<unix s>,sha256=<hex HMAC-SHA256 of "t.body">`. */
export const HTTP_GATEWAY_SIGNATURE_HEADER = "x-signature";

const HttpEventSchema = z.object({
  id: z.string().min(1).max(255),
  type: z.string().min(1).max(100),
  account: z.string().min(3).max(300).optional(),
  /** Micro-dollars (whole cents). */
  micros: z.int().positive().optional(),
});

/**
 * A payment provider behind a small JSON API (for operators whose processor is not Stripe, or who front it with their
 * own service): Bearer token, JSON bodies with micro-dollar amounts, an Idempotency-Key on every POST, and webhooks
 * signed like Stripe's (HMAC-SHA256, timestamp, constant-time compare). `topup.succeeded` credits an account.
 */
export function httpGateway(config: HttpGatewayConfig, fetcher: typeof fetch = fetch): PaymentGateway {
  const post = (path: string, body: Record<string, unknown>, idempotencyKey: string) =>
    gatewayPost(fetcher, "the payment gateway", `${config.apiBase}${path}`, path, {
      headers: { authorization: `Bearer ${config.apiToken}`, "content-type": "application/json", "idempotency-key": idempotencyKey },
      body: JSON.stringify(body),
    });
  const badAmount = (): Result<never, GatewayError> => fail({ code: "invalid_amount", message: "amounts are positive whole cents" });

  return {
    name: "http",
    async createCustomer({ accountId, name, email }) {
      const created = await post("/customers", { account: accountId, name, email }, `customer:${accountId}`);
      return created.ok ? ok({ customerId: idOf(created.value) }) : created;
    },
    async topUp({ customerId, accountId, micros, idempotencyKey }) {
      if (centsOf(micros) === null) return badAmount();
      const created = await post("/topups", { customer: customerId, account: accountId, micros }, idempotencyKey);
      return created.ok ? ok({ paymentId: idOf(created.value), status: String(created.value.status ?? "") }) : created;
    },
    async refund({ paymentId, micros, idempotencyKey }) {
      if (centsOf(micros) === null) return badAmount();
      const created = await post("/refunds", { payment: paymentId, micros }, idempotencyKey);
      return created.ok ? ok({ refundId: idOf(created.value) }) : created;
    },
    async verifyWebhook(body, signature, nowS): Promise<Result<GatewayEvent, WebhookError>> {
      const event = await verifiedWebhookPayload(HttpEventSchema, config.webhookSecret, body, signature, "sha256", nowS);
      if (!event.ok) return event;
      const { id, type, account, micros } = event.value;
      if (type === "topup.succeeded" && account !== undefined && micros !== undefined && centsOf(micros) !== null) {
        return ok({ kind: "topup", eventId: id, accountId: account, micros });
      }
      return ok({ kind: "ignored", eventId: id, type });
    },
  };
}
