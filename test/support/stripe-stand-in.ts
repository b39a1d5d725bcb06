import { createHmac, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** Base URL (http://127.0.0.1:PORT) of the local stand-in for Stripe's API. */
    stripeStandInUrl: string;
    /** The secret key and webhook signing secret the stand-in holds (admin's STRIPE_* secrets in tests). */
    stripeStandInKey: string;
    stripeStandInWebhookSecret: string;
  }
}

/** The secret key the stand-in accepts (any other is 401, as Stripe answers) and the webhook signing secret. */
export const STAND_IN_STRIPE_KEY = "sk_test_standin_0123456789";
export const STAND_IN_WEBHOOK_SECRET = "whsec_standin_0123456789abcdef";

/** One API request the stand-in received, read back from `GET /__requests`. */
export interface StripeRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  /** The form body, decoded (Stripe's wire format: application/x-www-form-urlencoded with `a[b]` keys). */
  readonly form: Record<string, string>;
}

type StripeObject = Record<string, unknown> & { id: string };

/**
 * A local stand-in for the parts of Stripe's HTTP API edge-guard uses, in Stripe's wire format: form-encoded POSTs to
 * /v1/customers, /v1/payment_intents and /v1/refunds with `Authorization: Bearer sk_…`, JSON objects back
 * (`{id, object, …}`), errors as `{error: {type, message, param}}` with Stripe's statuses, and `Idempotency-Key`
 * replays answering the first response. `POST /__succeed/:pi` marks a PaymentIntent succeeded and answers the
 * `payment_intent.succeeded` event body with its `Stripe-Signature` header, signed here with node:crypto (apart from
 * the adapter's WebCrypto code). The fake sits at the outer edge only: never the real internet.
 */
export async function startStripeStandIn(): Promise<{ url: string; close: () => Promise<void> }> {
  const received: StripeRequest[] = [];
  const objects = new Map<string, StripeObject>();
  const replays = new Map<string, { status: number; body: unknown }>();
  const server = createServer((req, res) => void handle(req, res).catch(() => res.writeHead(500).end()));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
    const raw = await new Promise<string>((resolve) => {
      let text = "";
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => (text += chunk));
      req.on("end", () => resolve(text));
    });
    const path = new URL(req.url ?? "/", "http://stand-in").pathname;
    const send = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    if (req.method === "GET" && path === "/__requests") return send(200, received);
    const succeed = /^\/__succeed\/(pi_[A-Za-z0-9]+)$/.exec(path);
    if (req.method === "POST" && succeed !== null) {
      const intent = objects.get(succeed[1] ?? "");
      if (intent === undefined) return send(404, { error: "no such payment intent" });
      Object.assign(intent, { status: "succeeded", amount_received: intent.amount });
      const event = {
        id: `evt_${randomBytes(12).toString("hex")}`,
        object: "event",
        type: "payment_intent.succeeded",
        data: { object: intent },
      };
      return send(200, { payload: JSON.stringify(event), header: signatureHeader(JSON.stringify(event)) });
    }
    const form = Object.fromEntries(new URLSearchParams(raw));
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    received.push({ method: req.method ?? "", path, headers, form });
    if (req.headers.authorization !== `Bearer ${STAND_IN_STRIPE_KEY}`) {
      return send(401, { error: { type: "invalid_request_error", message: "Invalid API Key provided: sk_****" } });
    }
    if (req.headers["content-type"] !== "application/x-www-form-urlencoded") {
      return send(400, {
        error: {
          type: "invalid_request_error",
          message: "Invalid request (check that your POST content type is application/x-www-form-urlencoded).",
        },
      });
    }
    const key = req.headers["idempotency-key"];
    const replay = typeof key === "string" ? replays.get(`${path} ${key}`) : undefined;
    if (replay !== undefined) {
      res.setHeader("idempotent-replayed", "true");
      return send(replay.status, replay.body);
    }
    const answer = create(path, form);
    if (typeof key === "string") replays.set(`${path} ${key}`, answer);
    return send(answer.status, answer.body);
  }

  function create(path: string, form: Record<string, string>): { status: number; body: unknown } {
    const metadata = Object.fromEntries(
      Object.entries(form)
        .filter(([k]) => k.startsWith("metadata["))
        .map(([k, v]) => [k.slice("metadata[".length, -1), v]),
    );
    const missing = (param: string) => ({
      status: 400,
      body: { error: { type: "invalid_request_error", message: `Missing required param: ${param}.`, param } },
    });
    const store = (prefix: string, fields: Record<string, unknown>) => {
      const object = {
        id: `${prefix}_${randomBytes(12).toString("hex")}`,
        created: Math.floor(Date.now() / 1000),
        livemode: false,
        metadata,
        ...fields,
      };
      objects.set(object.id, object);
      return { status: 200, body: object };
    };
    if (path === "/v1/customers") return store("cus", { object: "customer", name: form.name ?? null, email: form.email ?? null });
    if (path === "/v1/payment_intents") {
      if (form.amount === undefined) return missing("amount");
      if (form.currency === undefined) return missing("currency");
      const amount = Number(form.amount);
      if (!Number.isInteger(amount) || amount < 50) {
        return {
          status: 400,
          body: {
            error: {
              type: "invalid_request_error",
              code: "amount_too_small",
              message: "Amount must be at least $0.50 usd",
              param: "amount",
            },
          },
        };
      }
      if (form.customer !== undefined && !objects.has(form.customer)) {
        return {
          status: 400,
          body: {
            error: {
              type: "invalid_request_error",
              code: "resource_missing",
              message: `No such customer: '${form.customer}'`,
              param: "customer",
            },
          },
        };
      }
      return store("pi", {
        object: "payment_intent",
        amount,
        amount_received: 0,
        currency: form.currency,
        customer: form.customer ?? null,
        status: "requires_payment_method",
      });
    }
    if (path === "/v1/refunds") {
      const intent = objects.get(form.payment_intent ?? "");
      if (intent === undefined) return missing("payment_intent");
      return store("re", {
        object: "refund",
        amount: Number(form.amount ?? intent.amount),
        payment_intent: intent.id,
        status: "succeeded",
      });
    }
    return { status: 404, body: { error: { type: "invalid_request_error", message: `Unrecognized request URL (POST: ${path}).` } } };
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** `Stripe-Signature` for `payload` now (or at `timestampS`), as Stripe computes it: v1 = HMAC-SHA256(secret, `t.payload`). */
export function signatureHeader(payload: string, timestampS = Math.floor(Date.now() / 1000), secret = STAND_IN_WEBHOOK_SECRET): string {
  return `t=${timestampS},v1=${createHmac("sha256", secret).update(`${timestampS}.${payload}`).digest("hex")}`;
}

/** vitest globalSetup for the admin project. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const standIn = await startStripeStandIn();
  project.provide("stripeStandInUrl", standIn.url);
  project.provide("stripeStandInKey", STAND_IN_STRIPE_KEY);
  project.provide("stripeStandInWebhookSecret", STAND_IN_WEBHOOK_SECRET);
  return standIn.close;
}
