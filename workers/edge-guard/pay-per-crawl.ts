import {
  CRAWLER_CHARGED_HEADER,
  CRAWLER_ERROR_HEADER,
  CRAWLER_EXACT_PRICE_HEADER,
  CRAWLER_MAX_PRICE_HEADER,
  CRAWLER_PRICE_HEADER,
  IN_BAND_REQUEST,
  PAY_ERRORS,
  PAY_PER_CRAWL_ORIGIN_HEADER,
  formatPrice,
  inBandDecision,
  payDecision,
  pricedPath,
  type PayDecision,
  type PayError,
  type PayPerCrawl,
  type PayRequest,
} from "../../core/pay-per-crawl";
import type { CompiledPolicy } from "../../core/policy/compile";
import { siteOf, type RequestFacts } from "../../core/request-facts";
import { siteKeys } from "../../core/kv-keys";
import { devDirectoryOrigins } from "../../core/web-bot-auth/dev-directories";
import { trustedSignerName } from "../../core/web-bot-auth/trust";
import type { EdgeGuardEnv } from "./env";
import type { IsolateState, WaitUntil } from "./guard";
import { blockedResponse } from "./respond";
import { listing } from "../../core/assess";
import { fetchDirectoryOverHttps, verifyWebBotAuth } from "./web-bot-auth";

/** A charge made for one request: the account it went to and its idempotency key, so a failed delivery is refunded. */
export interface PaidRequest {
  readonly account: string;
  readonly key: string;
  readonly micros: number;
}

/** null: not a pay-per-crawl exchange; a response: answer it as is; paid: serve the origin's page, then `settlePaid`. */
export type PayStep = null | { readonly response: Response } | { readonly paid: PaidRequest };

/** The origin's answer to a request (app.ts's `fromOrigin`: a retried GET, a counted fault and a 502 when it is down). */
export type FetchOrigin = (request: Request) => Promise<Response>;

/**
 * The pay-per-crawl step, before the usual pipeline. Costs nothing for a request to a path no price covers, or one
 * with neither a signature nor a price header (every person): only a crawler offering or asked to pay is verified here.
 * A listed address is refused first, paying or not: paying skips behavioural scoring, never the blocklist.
 */
export async function payPerCrawl(
  state: IsolateState,
  env: EdgeGuardEnv,
  request: Request,
  policy: CompiledPolicy,
  facts: RequestFacts,
  waitUntil: WaitUntil,
  fetchOrigin: FetchOrigin,
): Promise<PayStep> {
  const pricing = policy.payPerCrawl;
  const { path, receivedAt: now } = facts;
  if (pricing === null || !pricedPath(pricing, path)) return null;
  const exactPrice = request.headers.get(CRAWLER_EXACT_PRICE_HEADER);
  const maxPrice = request.headers.get(CRAWLER_MAX_PRICE_HEADER);
  if (exactPrice === null && maxPrice === null && !request.headers.has("signature-input")) return null;
  if (await blocked(state, env, facts, waitUntil)) return { response: blockedResponse() };

  const verified = await verify(state, env, request, policy, now);
  const decision = payDecision(pricing, { path, exactPrice, maxPrice, signer: verified?.signer ?? null });
  if (decision.kind === "pass") return null;
  if (decision.kind === "refuse") return { response: payResponse(pricing, decision.error, decision.priceMicros) };
  if (verified === null || verified.signer === "invalid") return null; // unreachable: a charge needs a verified signer
  const account = `${verified.keyid} ${verified.agent}`;
  // The signed request, not the TCP request: a retry or a replay of the same signature for the same URL is one charge.
  const key = await sha256Hex(`${verified.nonce}\n${request.method}\n${request.url}`);
  if (decision.kind === "in-band")
    return { response: await inBand(state, env, pricing, decision, request, account, key, fetchOrigin, now) };
  const charged = await charge(state, env, pricing, account, key, decision, now, exactPrice !== null);
  return "response" in charged ? charged : { paid: charged };
}

type Charge = Extract<PayDecision, { kind: "charge" }>;

/** Charges the account once for `key`; a refusal (spend cap, unreachable account) is the 403 PaymentFailed answer. */
async function charge(
  state: IsolateState,
  env: EdgeGuardEnv,
  pricing: PayPerCrawl,
  account: string,
  key: string,
  decision: Charge,
  now: number,
  exactOffered: boolean,
): Promise<PaidRequest | { response: Response }> {
  try {
    const outcome = await env.CRAWLER_ACCOUNT.getByName(account).charge(key, decision.priceMicros, decision.capMicros, now);
    switch (outcome.status) {
      case "charged":
      case "duplicate":
        return { account, key, micros: outcome.micros };
      case "forbidden": // a pending or suspended account
        return { response: payResponse(pricing, "CrawlerForbidden", null) };
      case "over-price": // the account's own rate is above what the crawler offered: quote it
        return {
          response: payResponse(pricing, exactOffered ? "InvalidCrawlerExactPrice" : "InvalidCrawlerMaxPrice", outcome.priceMicros),
        };
      case "over-cap":
      case "insufficient-funds":
        return { response: payResponse(pricing, "PaymentFailed", decision.priceMicros) };
    }
  } catch (error) {
    // The account could not be reached: the crawler is not served for free, and is not charged.
    state.faults.record("ledger", error);
    return { response: payResponse(pricing, "PaymentFailed", decision.priceMicros) };
  }
}

/**
 * In-band pricing: the origin is asked (`cf-pay-per-crawl: pricing=in-band`) and names the price in its answer's
 * `crawler-price`. The page is held until the offer is judged: a refused crawler never reads it. Charged only after
 * the origin answered with a 2xx, so there is nothing to refund.
 */
async function inBand(
  state: IsolateState,
  env: EdgeGuardEnv,
  pricing: PayPerCrawl,
  decision: Extract<PayDecision, { kind: "in-band" }>,
  request: Request,
  account: string,
  key: string,
  fetchOrigin: FetchOrigin,
  now: number,
): Promise<Response> {
  const asked = new Request(request);
  asked.headers.set(PAY_PER_CRAWL_ORIGIN_HEADER, IN_BAND_REQUEST);
  const origin = await fetchOrigin(asked);
  if (!billable(origin)) return origin; // nothing delivered (an error, a redirect): nothing charged
  const settled = inBandDecision(decision, origin.headers.get(CRAWLER_PRICE_HEADER));
  if (settled.kind === "pass") return origin; // the origin named no price: free
  if (settled.kind !== "charge") {
    await origin.body?.cancel();
    // inBandDecision never answers in-band again; were it to, the page would be refused, not given away.
    const refusal = settled.kind === "refuse" ? settled : { error: "InvalidContentPrice" as const, priceMicros: null };
    // The origin's own misconfiguration: the operator sees it among the origin faults (the crawler only sees the code).
    if (refusal.error === "InvalidContentPrice") state.faults.record("origin", new Error("the origin set an invalid crawler-price"));
    return payResponse(pricing, refusal.error, refusal.priceMicros);
  }
  const charged = await charge(state, env, pricing, account, key, settled, now, request.headers.has(CRAWLER_EXACT_PRICE_HEADER));
  if ("response" in charged) {
    await origin.body?.cancel();
    return charged.response;
  }
  return withCharged(origin, charged.micros);
}

/**
 * Whether the client's address is listed to block (its `ip:` entry, or a CIDR/ASN range; an allow range wins), as the
 * usual pipeline would find it. A fault fails open, counted.
 */
async function blocked(state: IsolateState, env: EdgeGuardEnv, facts: RequestFacts, waitUntil: WaitUntil): Promise<boolean> {
  try {
    const site = siteOf(facts);
    const entry = await state.blocklist.lookup(env.BLOCKLIST, siteKeys(site).ip(facts.ip), facts.receivedAt, waitUntil);
    await state.ranges.refresh(env.BLOCKLIST, facts.receivedAt, waitUntil);
    const range = state.ranges.lookup(facts.ip, facts.cf.asn, facts.receivedAt, site);
    return listing(entry, range).entry?.action === "block";
  } catch (error) {
    state.faults.record("blocklist", error);
    return false;
  }
}

/** Whether an origin's answer delivered the content, so it may be charged: a 2xx. */
const billable = (origin: Response): boolean => origin.status >= 200 && origin.status < 300;

/** The origin's page with `crawler-charged` (and without any `crawler-price` of the origin's own). */
function withCharged(origin: Response, micros: number): Response {
  const response = new Response(origin.body, origin);
  response.headers.delete(CRAWLER_PRICE_HEADER);
  response.headers.set(CRAWLER_CHARGED_HEADER, formatPrice(micros));
  return response;
}

/**
 * The origin's answer to a paid request: `crawler-charged` on a 2xx; anything else (a 5xx, a 404, a redirect) is
 * refunded off the response path, since only a successful answer is billed (Cloudflare's rule too: "Charging events
 * are only triggered for successful HTTP response codes", https://developers.cloudflare.com/ai-crawl-control/reference/faq).
 */
export function settlePaid(
  state: IsolateState,
  env: EdgeGuardEnv,
  paid: PaidRequest,
  origin: Response,
  waitUntil: (p: Promise<unknown>) => void,
): Response {
  if (!billable(origin)) {
    waitUntil(
      env.CRAWLER_ACCOUNT.getByName(paid.account)
        .refund(paid.key)
        .catch((error: unknown) => state.faults.record("ledger", error)),
    );
    return origin;
  }
  return withCharged(origin, paid.micros);
}

interface Verified {
  readonly signer: PayRequest["signer"];
  readonly agent: string;
  readonly keyid: string;
  readonly nonce: string;
}

async function verify(
  state: IsolateState,
  env: EdgeGuardEnv,
  request: Request,
  policy: CompiledPolicy,
  now: number,
): Promise<Verified | null> {
  try {
    const dev = devDirectoryOrigins(env.WEB_BOT_AUTH_DEV_DIRECTORIES, env.DEV_CLIENT_OVERRIDES === "on");
    const outcome = await verifyWebBotAuth(request, now, state.directories, fetchDirectoryOverHttps, dev);
    if (outcome === null) return null;
    if (!outcome.verified) return { signer: "invalid", agent: "", keyid: "", nonce: "" };
    const name = trustedSignerName(policy.webBotAuth, outcome.agent, outcome.keyid);
    return { signer: { name, covered: new Set(outcome.covered) }, agent: outcome.agent, keyid: outcome.keyid, nonce: outcome.nonce };
  } catch (error) {
    state.faults.record("web-bot-auth", error);
    return { signer: "invalid", agent: "", keyid: "", nonce: "" };
  }
}

/** A protocol answer: the status of `error`, `crawler-error`, the price when known, and the operator's licence text. */
function payResponse(pricing: PayPerCrawl, error: PayError, priceMicros: number | null): Response {
  const headers = new Headers({ "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", [CRAWLER_ERROR_HEADER]: error });
  if (priceMicros !== null) headers.set(CRAWLER_PRICE_HEADER, formatPrice(priceMicros));
  const status = PAY_ERRORS[error];
  return new Response(status === 402 ? pricing.body : `${error}\n`, { status, headers });
}

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
