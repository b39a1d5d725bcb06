import {
  CRAWLER_CHARGED_HEADER,
  CRAWLER_ERROR_HEADER,
  CRAWLER_EXACT_PRICE_HEADER,
  CRAWLER_MAX_PRICE_HEADER,
  CRAWLER_PRICE_HEADER,
  PAY_ERRORS,
  formatPrice,
  payDecision,
  pricedPath,
  type PayError,
  type PayPerCrawl,
  type PayRequest,
} from "../../core/pay-per-crawl";
import type { CompiledPolicy } from "../../core/policy/compile";
import { devDirectoryOrigins } from "../../core/web-bot-auth/dev-directories";
import { trustedSignerName } from "../../core/web-bot-auth/trust";
import type { EdgeGuardEnv } from "./env";
import type { IsolateState } from "./guard";
import { fetchDirectoryOverHttps, verifyWebBotAuth } from "./web-bot-auth";

/** A charge made for one request: the account it went to and its idempotency key, so a failed delivery is refunded. */
export interface PaidRequest {
  readonly account: string;
  readonly key: string;
  readonly micros: number;
}

/** null: not a pay-per-crawl exchange; a response: answer it as is; paid: serve the origin's page, then `settlePaid`. */
export type PayStep = null | { readonly response: Response } | { readonly paid: PaidRequest };

/**
 * The pay-per-crawl step, before the usual pipeline. Costs nothing for a request to a path no price covers, or one
 * with neither a signature nor a price header (every person): only a crawler offering or asked to pay is verified here.
 */
export async function payPerCrawl(
  state: IsolateState,
  env: EdgeGuardEnv,
  request: Request,
  policy: CompiledPolicy,
  path: string,
  now: number,
): Promise<PayStep> {
  const pricing = policy.payPerCrawl;
  if (pricing === null || !pricedPath(pricing, path)) return null;
  const exactPrice = request.headers.get(CRAWLER_EXACT_PRICE_HEADER);
  const maxPrice = request.headers.get(CRAWLER_MAX_PRICE_HEADER);
  if (exactPrice === null && maxPrice === null && !request.headers.has("signature-input")) return null;

  const verified = await verify(state, env, request, policy, now);
  const decision = payDecision(pricing, { path, exactPrice, maxPrice, signer: verified?.signer ?? null });
  if (decision.kind === "pass") return null;
  if (decision.kind === "refuse") return { response: payResponse(pricing, decision.error, decision.priceMicros) };
  if (verified === null || verified.signer === "invalid") return null; // unreachable: a charge needs a verified signer
  const account = `${verified.keyid} ${verified.agent}`;
  // The signed request, not the TCP request: a retry or a replay of the same signature for the same URL is one charge.
  const key = await sha256Hex(`${verified.nonce}\n${request.method}\n${request.url}`);
  try {
    const outcome = await env.CRAWLER_ACCOUNT.getByName(account).charge(key, decision.priceMicros, decision.capMicros, now);
    switch (outcome.status) {
      case "charged":
      case "duplicate":
        return { paid: { account, key, micros: outcome.micros } };
      case "forbidden": // a pending or suspended account
        return { response: payResponse(pricing, "CrawlerForbidden", null) };
      case "over-price": // the account's own rate is above what the crawler offered: quote it
        return {
          response: payResponse(pricing, exactPrice === null ? "InvalidCrawlerMaxPrice" : "InvalidCrawlerExactPrice", outcome.priceMicros),
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

/** The origin's answer to a paid request: `crawler-charged` on success; a 5xx is refunded (nothing was delivered). */
export function settlePaid(
  state: IsolateState,
  env: EdgeGuardEnv,
  paid: PaidRequest,
  origin: Response,
  waitUntil: (p: Promise<unknown>) => void,
): Response {
  if (origin.status >= 500) {
    waitUntil(
      env.CRAWLER_ACCOUNT.getByName(paid.account)
        .refund(paid.key)
        .catch((error: unknown) => state.faults.record("ledger", error)),
    );
    return origin;
  }
  const response = new Response(origin.body, origin);
  response.headers.set(CRAWLER_CHARGED_HEADER, formatPrice(paid.micros));
  return response;
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
