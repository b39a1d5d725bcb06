import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { AppError } from "../../../adapters/http";
import { HTTP_GATEWAY_SIGNATURE_HEADER } from "../../../adapters/payments/http-gateway";
import type { GatewayName } from "../../../core/payments/gateway";
import { gatewayFor } from "../payments/gateways";
import { adminRouter, type AdminBindings } from "../router";
import { ErrorSchema, json } from "../schemas";

/** Webhook bodies past this are refused unread (Stripe's events are a few KB). */
const WEBHOOK_MAX_BYTES = 256 * 1024;

const ReceivedSchema = z
  .object({
    received: z.literal(true),
    credited: z.boolean().openapi({ description: "false for a replay, or an event that credits nothing" }),
  })
  .openapi("WebhookReceived");

const webhookRoute = (gateway: GatewayName, header: string) =>
  createRoute({
    method: "post",
    path: `/${gateway}/webhook`,
    summary: `${gateway === "stripe" ? "Stripe" : "Generic HTTP gateway"} webhook: a confirmed payment credits the account once`,
    "x-required-role": "public",
    description: `Public (the gateway calls it), authenticated by the \`${header}\` HMAC-SHA256 signature with a timestamp tolerance of 5 minutes.`,
    request: { headers: z.object({ [header]: z.string().optional() }) },
    responses: {
      200: json(ReceivedSchema, "accepted (credited, or a replay / an event that needs nothing)"),
      400: {
        description:
          "`webhook_signature_missing`, `webhook_signature_invalid`, `webhook_signature_expired`, `webhook_payload_invalid`: nothing credited",
        content: { "application/json": { schema: ErrorSchema } },
      },
      503: {
        description: "`gateway_not_configured`, `account_unavailable` (the gateway retries)",
        content: { "application/json": { schema: ErrorSchema } },
      },
    },
  });

const MESSAGES = {
  signature_missing: "the signature header is missing",
  signature_invalid: "the signature does not match this endpoint's secret",
  signature_expired: "the signature's timestamp is outside the tolerance",
  payload_invalid: "the body is not an event this endpoint reads",
} as const;

async function receive(c: Context<AdminBindings>, name: GatewayName, header: string): Promise<{ received: true; credited: boolean }> {
  const gateway = gatewayFor(c.env, name);
  if (Number(c.req.header("content-length") ?? 0) > WEBHOOK_MAX_BYTES) {
    throw new AppError(413, "payload_too_large", `webhook bodies are at most ${WEBHOOK_MAX_BYTES} bytes`);
  }
  const body = await c.req.text();
  if (body.length > WEBHOOK_MAX_BYTES)
    throw new AppError(413, "payload_too_large", `webhook bodies are at most ${WEBHOOK_MAX_BYTES} bytes`);
  const now = c.get("deps").now();
  const event = await gateway.verifyWebhook(body, c.req.header(header) ?? null, Math.floor(now / 1000));
  if (!event.ok) {
    console.warn(JSON.stringify({ code: `webhook_${event.error}`, gateway: name }));
    throw new AppError(400, `webhook_${event.error}`, MESSAGES[event.error]);
  }
  if (event.value.kind === "ignored") return { received: true, credited: false };
  const { eventId, accountId, micros } = event.value;
  let credited: boolean;
  try {
    // Keyed by the gateway's event id: a replayed or redelivered webhook credits nothing the second time.
    const outcome = await c.env.CRAWLER_ACCOUNT.getByName(accountId).topUp(`${name}:${eventId}`, micros, now);
    if (!outcome.known) {
      // Paid, but for no account here: not acknowledged, so the gateway keeps retrying (and shows it) until one exists.
      console.error(JSON.stringify({ code: "payment_for_unknown_account", gateway: name, eventId, account: accountId, micros }));
      throw new AppError(404, "account_unknown", "no crawler account matches this payment; create it and the gateway's retry credits it");
    }
    credited = outcome.credited;
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError(503, "account_unavailable", "the account could not be reached; the gateway will retry", { cause: error });
  }
  console.log(JSON.stringify({ code: "payment_webhook", gateway: name, eventId, account: accountId, micros, credited }));
  return { received: true, credited };
}

/** Payment gateways' webhooks (public: the signature is the authentication). */
export const paymentRoutes = adminRouter()
  .openapi(webhookRoute("stripe", "stripe-signature"), async (c) => c.json(await receive(c, "stripe", "stripe-signature"), 200))
  .openapi(webhookRoute("http", HTTP_GATEWAY_SIGNATURE_HEADER), async (c) =>
    c.json(await receive(c, "http", HTTP_GATEWAY_SIGNATURE_HEADER), 200),
  );
