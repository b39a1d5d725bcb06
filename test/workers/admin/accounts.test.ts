import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { withDb } from "../../../adapters/db/client";
import { auditLog } from "../../../adapters/db/schema";
import { hmacSha256Hex } from "../../../adapters/payments/webhook-signature";
import { stripeGateway } from "../../../adapters/payments/stripe";
import { registrationDirectories } from "../../../workers/admin/routes/register";
import { STAND_IN_STRIPE_KEY, STAND_IN_WEBHOOK_SECRET, type StripeRequest } from "../../support/stripe-stand-in";
import { createSigner, signatureHeaders, type TestSigner } from "../../support/web-bot-auth-signer";
import { apiToken, baseEnv, bearer, call, clock, jsonInit, testEnv } from "./support";

const CENT = 10_000;
const DIRECTORY = "https://crawler.example";

/** A fresh key thumbprint (43 base64url characters), as a crawler's Ed25519 key would have. */
function aThumbprint(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

let operator: Record<string, string>;
let admin: Record<string, string>;
let viewer: Record<string, string>;
beforeAll(async () => {
  operator = bearer(await apiToken("operator", "accounts-operator"));
  admin = bearer(await apiToken("admin", "accounts-admin"));
  viewer = bearer(await apiToken("viewer", "accounts-viewer"));
});

async function createAccount(body: Record<string, unknown> = {}): Promise<{ thumbprint: string; id: string }> {
  const thumbprint = aThumbprint();
  const response = await call(
    "/api/accounts",
    jsonInit("POST", { thumbprint, directory: DIRECTORY, name: "Test crawler", ...body }, operator),
  );
  expect(response.status).toBe(201);
  return { thumbprint, id: `${thumbprint} ${DIRECTORY}` };
}

const account = async (thumbprint: string) =>
  (await (await call(`/api/accounts/${thumbprint}`, { headers: viewer })).json()) as Record<string, unknown>;

describe("crawler accounts", () => {
  it("creates an account, sets the edge's terms, and approves, suspends and re-rates it with an audit trail", async () => {
    const { thumbprint, id } = await createAccount({ state: "pending", capMicros: 50 * CENT });
    expect(await account(thumbprint)).toMatchObject({
      id,
      state: "pending",
      capMicros: 50 * CENT,
      prepaid: false,
      origin: "operator",
      spentMicros: 0,
    });
    // The edge refuses it until approved.
    expect(await baseEnv.CRAWLER_ACCOUNT.getByName(id).charge("k-1", CENT, null, Date.now())).toEqual({
      status: "forbidden",
      state: "pending",
    });

    const approved = await call(`/api/accounts/${thumbprint}`, jsonInit("PATCH", { state: "active", priceMicros: CENT / 2 }, operator));
    expect(approved.status).toBe(200);
    expect(await approved.json()).toMatchObject({ state: "active", priceMicros: CENT / 2 });
    expect(await baseEnv.CRAWLER_ACCOUNT.getByName(id).charge("k-1", CENT, null, Date.now())).toEqual({
      status: "charged",
      micros: CENT / 2,
    });

    await call(`/api/accounts/${thumbprint}`, jsonInit("PATCH", { state: "suspended" }, operator));
    expect((await baseEnv.CRAWLER_ACCOUNT.getByName(id).charge("k-2", CENT, null, Date.now())).status).toBe("forbidden");
    expect(await account(thumbprint)).toMatchObject({ state: "suspended", spentMicros: CENT / 2, charges: 1 });

    const actions = await withDb(baseEnv, (d) =>
      d
        .select()
        .from(auditLog)
        .where(eq(auditLog.target, `account:${id}`)),
    );
    expect(actions.map((a) => a.action)).toEqual(["account.create", "account.approve", "account.suspend"]);
  });

  it("refuses a second account for the same key, bad input with the field named, and a viewer's change", async () => {
    const { thumbprint } = await createAccount();
    const again = await call("/api/accounts", jsonInit("POST", { thumbprint, directory: DIRECTORY, name: "Again" }, operator));
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: "conflict" });

    const fractional = await call(`/api/accounts/${thumbprint}`, jsonInit("PATCH", { capMicros: 1.5 }, operator));
    expect(fractional.status).toBe(400);
    expect(await fractional.json()).toMatchObject({ error: "invalid_request", message: expect.stringContaining("capMicros") });
    const plainHttp = await call(
      "/api/accounts",
      jsonInit("POST", { thumbprint: aThumbprint(), directory: "http://crawler.example", name: "x" }, operator),
    );
    expect(plainHttp.status).toBe(400);
    expect(await plainHttp.json()).toMatchObject({ message: expect.stringContaining("directory") });
    expect((await call(`/api/accounts/${thumbprint}`, jsonInit("PATCH", { state: "suspended" }, viewer))).status).toBe(403);
    expect((await call(`/api/accounts/${aThumbprint()}`, { headers: viewer })).status).toBe(404);
  });

  it("credits a manual top-up once per reference, only on a prepaid account", async () => {
    const postpaid = await createAccount();
    const refused = await call(
      `/api/accounts/${postpaid.thumbprint}/top-ups`,
      jsonInit("POST", { micros: CENT, reference: "wire-0001" }, admin),
    );
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: "not_prepaid" });

    const { thumbprint } = await createAccount({ prepaid: true });
    const topUp = () => call(`/api/accounts/${thumbprint}/top-ups`, jsonInit("POST", { micros: 3 * CENT, reference: "wire-0002" }, admin));
    expect(await (await topUp()).json()).toEqual({ credited: true, balanceMicros: 3 * CENT });
    expect(await (await topUp()).json()).toEqual({ credited: false, balanceMicros: 3 * CENT });
    expect(
      (await call(`/api/accounts/${thumbprint}/top-ups`, jsonInit("POST", { micros: CENT, reference: "wire-0003" }, operator))).status,
    ).toBe(403);
    const listed = (await (await call("/api/accounts", { headers: viewer })).json()) as {
      accounts: { thumbprint: string; balanceMicros: number }[];
    };
    expect(listed.accounts.find((a) => a.thumbprint === thumbprint)?.balanceMicros).toBe(3 * CENT);
  });
});

const standIn = () => inject("stripeStandInUrl");
const stripeRequests = async () => (await (await fetch(`${standIn()}/__requests`)).json()) as StripeRequest[];
/** Marks a PaymentIntent paid at the stand-in; answers the signed `payment_intent.succeeded` webhook Stripe would send. */
const succeed = async (paymentId: string) =>
  (await (await fetch(`${standIn()}/__succeed/${paymentId}`, { method: "POST" })).json()) as { payload: string; header: string };
const webhook = (payload: string, header: string | null) =>
  call("/api/payments/stripe/webhook", {
    method: "POST",
    body: payload,
    headers: { "content-type": "application/json", ...(header === null ? {} : { "stripe-signature": header }) },
  });

describe("Stripe: the adapter against a stand-in speaking Stripe's wire format", () => {
  const gateway = () => stripeGateway({ secretKey: STAND_IN_STRIPE_KEY, webhookSecret: STAND_IN_WEBHOOK_SECRET, apiBase: standIn() });

  it("creates a customer and a top-up PaymentIntent form-encoded, with the key, an idempotency key and the account in metadata", async () => {
    const customer = await gateway().createCustomer({ accountId: "t https://a.example", name: "A", email: "ops@a.example" });
    if (!customer.ok) throw new Error(customer.error.message);
    expect(customer.value.customerId).toMatch(/^cus_/);
    const payment = await gateway().topUp({
      customerId: customer.value.customerId,
      accountId: "t https://a.example",
      micros: 500 * CENT,
      idempotencyKey: "topup-adapter-1",
    });
    if (!payment.ok) throw new Error(payment.error.message);
    expect(payment.value.paymentId).toMatch(/^pi_/);
    const sent = (await stripeRequests()).filter((r) => r.path === "/v1/payment_intents").at(-1);
    expect(sent?.headers).toMatchObject({
      authorization: `Bearer ${STAND_IN_STRIPE_KEY}`,
      "content-type": "application/x-www-form-urlencoded",
      "idempotency-key": "topup-adapter-1",
    });
    expect(sent?.form).toMatchObject({ amount: "500", currency: "usd", "metadata[edge_guard_account]": "t https://a.example" });

    const refund = await gateway().refund({ paymentId: payment.value.paymentId, micros: 100 * CENT, idempotencyKey: "refund-adapter-1" });
    expect(refund.ok && refund.value.refundId.startsWith("re_")).toBe(true);
  });

  it("refuses an amount that is not whole cents without calling Stripe, and reports Stripe's refusal without the key", async () => {
    const before = (await stripeRequests()).length;
    expect(
      await gateway().topUp({ customerId: "cus_x", accountId: "t https://a.example", micros: 12_345, idempotencyKey: "k-frac" }),
    ).toMatchObject({
      ok: false,
      error: { code: "invalid_amount" },
    });
    expect((await stripeRequests()).length).toBe(before);
    const wrongKey = stripeGateway({ secretKey: "sk_test_wrong_key_999", webhookSecret: STAND_IN_WEBHOOK_SECRET, apiBase: standIn() });
    const refused = await wrongKey.createCustomer({ accountId: "t https://a.example", name: "A", email: null });
    expect(refused).toMatchObject({ ok: false, error: { code: "gateway_refused" } });
    expect(JSON.stringify(refused)).not.toContain("sk_test_wrong_key_999");
    const small = await gateway().topUp({
      customerId: "cus_unknown",
      accountId: "t https://a.example",
      micros: 10 * CENT,
      idempotencyKey: "k-small",
    });
    expect(small).toMatchObject({ ok: false, error: { code: "gateway_refused", message: expect.stringContaining("at least $0.50") } });
  });
});

describe("Stripe: checkout and webhooks through admin", () => {
  it("credits a paid top-up once: a valid webhook credits, its replay does not, a forged or stale one is 400 and credits nothing", async () => {
    const { thumbprint, id } = await createAccount({ prepaid: true });
    const checkout = await call(
      `/api/accounts/${thumbprint}/checkout`,
      jsonInit("POST", { micros: 2_000 * CENT, email: "billing@crawler.example" }, operator),
    );
    expect(checkout.status).toBe(200);
    const { paymentId } = (await checkout.json()) as { paymentId: string };
    const { payload, header } = await succeed(paymentId);

    // Forged: the amount changed after signing.
    const forged = await webhook(payload.replace('"amount_received":2000', '"amount_received":9000'), header);
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ error: "webhook_signature_invalid" });
    expect(await webhook(payload, null).then((r) => r.json())).toMatchObject({ error: "webhook_signature_missing" });
    const t = Math.floor(clock.now / 1000) - 600;
    const stale = `t=${t},v1=${await hmacSha256Hex(STAND_IN_WEBHOOK_SECRET, `${t}.${payload}`)}`;
    expect(await webhook(payload, stale).then((r) => r.json())).toMatchObject({ error: "webhook_signature_expired" });
    expect((await account(thumbprint)).balanceMicros).toBe(0);

    const valid = await webhook(payload, header);
    expect(valid.status).toBe(200);
    expect(await valid.json()).toEqual({ received: true, credited: true });
    const replayed = await webhook(payload, header);
    expect(await replayed.json()).toEqual({ received: true, credited: false });
    expect((await account(thumbprint)).balanceMicros).toBe(2_000 * CENT);
    // The customer was created once and kept: a second checkout reuses it.
    await call(`/api/accounts/${thumbprint}/checkout`, jsonInit("POST", { micros: 1_000 * CENT }, operator));
    expect(
      (await stripeRequests()).filter((r) => r.path === "/v1/customers" && r.form["metadata[edge_guard_account]"] === id),
    ).toHaveLength(1);
  });

  it("acknowledges an event it does not act on, and says clearly when a gateway is not configured", async () => {
    const event = JSON.stringify({
      id: "evt_other_1",
      object: "event",
      type: "customer.created",
      data: { object: { object: "customer" } },
    });
    const t = Math.floor(clock.now / 1000);
    const header = `t=${t},v1=${await hmacSha256Hex(STAND_IN_WEBHOOK_SECRET, `${t}.${event}`)}`;
    expect(await webhook(event, header).then((r) => r.json())).toEqual({ received: true, credited: false });
    // Paid for an account that does not exist here: not acknowledged, so Stripe retries until it does.
    const stray = JSON.stringify({
      id: "evt_stray_1",
      object: "event",
      type: "payment_intent.succeeded",
      data: {
        object: {
          object: "payment_intent",
          currency: "usd",
          amount_received: 500,
          metadata: { edge_guard_account: `${aThumbprint()} ${DIRECTORY}` },
        },
      },
    });
    const strayHeader = `t=${t},v1=${await hmacSha256Hex(STAND_IN_WEBHOOK_SECRET, `${t}.${stray}`)}`;
    const unknown = await webhook(stray, strayHeader);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: "account_unknown" });
    const unconfigured = await call("/api/payments/http/webhook", { method: "POST", body: "{}" });
    expect(unconfigured.status).toBe(503);
    expect(await unconfigured.json()).toMatchObject({
      error: "gateway_not_configured",
      message: expect.stringContaining("PAYMENTS_HTTP_BASE"),
    });
  });
});

describe("the generic HTTP gateway's webhook", () => {
  const SECRET = "http-gateway-webhook-secret-0123";
  const env = testEnv({
    PAYMENTS_HTTP_BASE: "https://payments.example/api",
    PAYMENTS_HTTP_TOKEN: "token-0123456789",
    PAYMENTS_HTTP_WEBHOOK_SECRET: SECRET,
  });
  const send = async (body: string, secret = SECRET) => {
    const t = Math.floor(clock.now / 1000);
    const header = `t=${t},sha256=${await hmacSha256Hex(secret, `${t}.${body}`)}`;
    return call("/api/payments/http/webhook", { method: "POST", body, headers: { "x-signature": header } }, env);
  };

  it("credits a signed topup.succeeded once, and refuses one signed with another secret", async () => {
    const { thumbprint, id } = await createAccount({ prepaid: true });
    const event = JSON.stringify({ id: "evt_http_1", type: "topup.succeeded", account: id, micros: 7 * CENT });
    const forged = await send(event, "not-the-secret-0000000000000000");
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ error: "webhook_signature_invalid" });
    expect(await (await send(event)).json()).toEqual({ received: true, credited: true });
    expect(await (await send(event)).json()).toEqual({ received: true, credited: false });
    expect((await account(thumbprint)).balanceMicros).toBe(7 * CENT);
  });
});

describe("self-registration", () => {
  const AGENT = "https://self-registering.example";
  let signer: TestSigner;
  beforeAll(async () => {
    signer = await createSigner();
    // The signer's key directory, as after a first fetch (fetching one is covered by the Web Bot Auth tests).
    registrationDirectories().set(AGENT, {
      keys: new Map([[signer.thumbprint, { x: signer.jwk.x }]]),
      failure: null,
      checkedAt: clock.now,
      retryAt: clock.now + 3_600_000,
    });
  });
  const register = async (headers: Record<string, string>) =>
    call("/api/accounts/register", jsonInit("POST", { name: "Self Bot", contact: "mailto:ops@self-registering.example" }, headers));

  it("opens a pending account for a key proven with a Web Bot Auth signature, which the edge refuses until approved", async () => {
    const signed = await signatureHeaders(signer, "https://admin.test/api/accounts/register", { agent: AGENT });
    const response = await register(signed);
    expect(response.status).toBe(201);
    const id = `${signer.thumbprint} ${AGENT}`;
    expect(await response.json()).toEqual({ id, state: "pending" });
    expect(await account(signer.thumbprint)).toMatchObject({ origin: "self", state: "pending", name: "Self Bot" });
    expect((await baseEnv.CRAWLER_ACCOUNT.getByName(id).charge("self-1", CENT, null, Date.now())).status).toBe("forbidden");
    // Registering again answers the account's state; the operator approves it.
    const again = await register(await signatureHeaders(signer, "https://admin.test/api/accounts/register", { agent: AGENT }));
    expect(again.status).toBe(200);
    await call(`/api/accounts/${signer.thumbprint}`, jsonInit("PATCH", { state: "active" }, operator));
    expect((await baseEnv.CRAWLER_ACCOUNT.getByName(id).charge("self-1", CENT, null, Date.now())).status).toBe("charged");
  });

  it("refuses an unsigned request, and a signature made by another key, opening nothing", async () => {
    const unsigned = await register({});
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ error: "signature_required" });
    const impostor = await createSigner();
    // Signed by a key the directory does not list, under the listed key's id.
    const forged = await signatureHeaders({ ...impostor, thumbprint: signer.thumbprint }, "https://admin.test/api/accounts/register", {
      agent: AGENT,
    });
    const refused = await register(forged);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: "signature_invalid" });
    const other = await register(await signatureHeaders(impostor, "https://admin.test/api/accounts/register", { agent: AGENT }));
    expect(other.status).toBe(401);
    expect((await call(`/api/accounts/${impostor.thumbprint}`, { headers: viewer })).status).toBe(404);
  });
});
