import { httpGateway } from "../../../adapters/payments/http-gateway";
import { STRIPE_API_BASE, stripeGateway } from "../../../adapters/payments/stripe";
import { AppError } from "../../../adapters/http";
import type { GatewayName, PaymentGateway } from "../../../core/payments/gateway";
import type { AdminEnv } from "../env";

/** Loopback only, for the dev stack and tests; anything else must be https. */
const API_BASE = /^(https:\/\/[^\s/]+(\/[^\s]*)?|http:\/\/127\.0\.0\.1:\d{1,5})$/;

/**
 * The payment gateway `name` as the env configures it, or 503 `gateway_not_configured` naming the settings to set.
 * Secrets go into the adapter and nowhere else (never into an error, a log line or a response).
 */
export function gatewayFor(env: AdminEnv, name: GatewayName): PaymentGateway {
  if (name === "stripe") {
    const base = env.STRIPE_API_BASE || STRIPE_API_BASE;
    if (!env.STRIPE_SECRET_KEY || !env.STRIPE_WEBHOOK_SECRET || !API_BASE.test(base)) {
      throw new AppError(
        503,
        "gateway_not_configured",
        "Stripe is not configured: set the STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET secrets",
      );
    }
    return stripeGateway({ secretKey: env.STRIPE_SECRET_KEY, webhookSecret: env.STRIPE_WEBHOOK_SECRET, apiBase: base });
  }
  if (!env.PAYMENTS_HTTP_BASE || !env.PAYMENTS_HTTP_TOKEN || !env.PAYMENTS_HTTP_WEBHOOK_SECRET || !API_BASE.test(env.PAYMENTS_HTTP_BASE)) {
    throw new AppError(
      503,
      "gateway_not_configured",
      "the HTTP payment gateway is not configured: set PAYMENTS_HTTP_BASE (https) and the PAYMENTS_HTTP_TOKEN and PAYMENTS_HTTP_WEBHOOK_SECRET secrets",
    );
  }
  return httpGateway({
    apiBase: env.PAYMENTS_HTTP_BASE,
    apiToken: env.PAYMENTS_HTTP_TOKEN,
    webhookSecret: env.PAYMENTS_HTTP_WEBHOOK_SECRET,
  });
}
