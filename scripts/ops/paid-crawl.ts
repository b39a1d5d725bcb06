import { randomBytes } from "node:crypto";
import {
  CRAWLER_CHARGED_HEADER,
  CRAWLER_ERROR_HEADER,
  CRAWLER_EXACT_PRICE_HEADER,
  CRAWLER_MAX_PRICE_HEADER,
  CRAWLER_PRICE_HEADER,
  formatPrice,
  parsePrice,
} from "../../core/pay-per-crawl";
import { signatureField, webBotAuthSigningInput } from "../../core/web-bot-auth/sign";
import type { CrawlerKey } from "./crawler-key";

/** How long each signature is valid, in seconds: long enough for one exchange, far below the draft's 24 h cap. */
export const SIGNATURE_LIFETIME_S = 300;

/** What the crawler was told: per crawler-error, what a crawler author does about it. */
export const ERROR_HELP: Readonly<Record<string, string>> = {
  StrongAuthRequired: "the site wants a Web Bot Auth signature that covers the price header",
  InvalidSignature: "the signature did not verify: can the site reach the key directory, and is this machine's clock right?",
  InvalidCrawlerPriceValue: 'the price header is not a price such as "USD 0.01"',
  ConflictingPriceHeaders: "send crawler-exact-price or crawler-max-price, not both",
  MissingCrawlerPrice: "the page is priced and no price header was sent",
  InvalidCrawlerExactPrice: "the price changed since the 402: run again",
  InvalidCrawlerMaxPrice: "the price is above the maximum offered (--max-price)",
  CrawlerForbidden: "the site does not take payment from this crawler (its key is not trusted there, or it is refused)",
  PaymentFailed: "the charge failed: spend cap reached, account suspended, or the site's ledger is unavailable",
  InvalidContentPrice: "the site's origin set a price the edge could not read: tell the site's operator",
};

export interface PaidCrawlOptions {
  readonly url: string;
  readonly key: CrawlerKey;
  /** The Signature-Agent: the origin of the key directory listing `key`. */
  readonly agent: string;
  /** Offer at most this (crawler-max-price, micro-dollars); null: pay exactly the price asked (crawler-exact-price). */
  readonly maxPriceMicros: number | null;
  readonly userAgent: string;
  /** More request headers, sent unsigned (e.g. the dev stack's CF-Connecting-IP). */
  readonly headers: Readonly<Record<string, string>>;
  /** Send the paid request this many times at once, same signature (as a retry after a timeout would): charged once. */
  readonly duplicates: number;
  readonly fetch?: typeof fetch;
}

/** One HTTP answer as the crawler saw it. */
export interface Answer {
  readonly status: number;
  readonly price: string | null;
  readonly charged: string | null;
  readonly error: string | null;
}

/** The outcome of the exchange: the first answer, the paid answer(s) if it paid, and the page it got. */
export interface PaidCrawlResult {
  readonly url: string;
  readonly outcome: "paid" | "free" | "refused" | "over-max-price";
  readonly first: Answer;
  readonly paid: readonly Answer[];
  /** Which price header the retry carried. */
  readonly offered: { readonly header: string; readonly value: string } | null;
  /** The page (the paid answer's body, or the free one's), null when none. */
  readonly body: string | null;
}

const answerOf = (response: Response): Answer => ({
  status: response.status,
  price: response.headers.get(CRAWLER_PRICE_HEADER),
  charged: response.headers.get(CRAWLER_CHARGED_HEADER),
  error: response.headers.get(CRAWLER_ERROR_HEADER),
});

/** Signs a GET of `url` with Web Bot Auth (RFC 9421, Ed25519), covering @authority, Signature-Agent and `covered`. */
export async function signedHeaders(
  key: CrawlerKey,
  agent: string,
  url: string,
  covered: Readonly<Record<string, string>>,
  nowMs = Date.now(),
): Promise<Record<string, string>> {
  const createdS = Math.floor(nowMs / 1000);
  const input = webBotAuthSigningInput(
    { method: "GET", url: new URL(url).href, headers: { ...covered } },
    {
      agent,
      keyid: key.thumbprint,
      createdS,
      expiresS: createdS + SIGNATURE_LIFETIME_S,
      nonce: randomBytes(32).toString("base64"),
      covered: Object.keys(covered),
    },
  );
  if (!input.ok) throw new Error(`cannot sign ${url}: ${input.error}`);
  const bytes = await crypto.subtle.sign("Ed25519", key.privateKey, new TextEncoder().encode(input.value.base));
  return { ...covered, ...input.value.headers, signature: signatureField(Buffer.from(bytes).toString("base64")) };
}

/**
 * The pay-per-crawl exchange: a signed GET; on 402 it reads `crawler-price` and retries signed with the price header
 * covered (`crawler-exact-price`, or `crawler-max-price` when a maximum is set and the price is within it).
 */
export async function paidCrawl(o: PaidCrawlOptions): Promise<PaidCrawlResult> {
  const get = o.fetch ?? fetch;
  const send = async (covered: Record<string, string>) =>
    get(o.url, {
      headers: { "user-agent": o.userAgent, ...o.headers, ...(await signedHeaders(o.key, o.agent, o.url, covered)) },
      redirect: "manual",
    });
  const firstResponse = await send({});
  const first = answerOf(firstResponse);
  const base = { url: o.url, first, offered: null, paid: [] };
  if (first.status !== 402) {
    const body = await firstResponse.text();
    return { ...base, outcome: first.status < 400 ? "free" : "refused", body: first.status < 400 ? body : null };
  }
  await firstResponse.body?.cancel();
  const priceMicros = first.price === null ? null : parsePrice(first.price);
  if (first.price === null || priceMicros === null) return { ...base, outcome: "refused", body: null };
  if (o.maxPriceMicros !== null && priceMicros > o.maxPriceMicros) return { ...base, outcome: "over-max-price", body: null };
  const offered =
    o.maxPriceMicros === null
      ? { header: CRAWLER_EXACT_PRICE_HEADER, value: first.price }
      : { header: CRAWLER_MAX_PRICE_HEADER, value: formatPrice(o.maxPriceMicros) };
  // One signature, sent `duplicates` times: the same signed request, as a retry would resend it.
  const signed = await signedHeaders(o.key, o.agent, o.url, { [offered.header]: offered.value });
  const responses = await Promise.all(
    Array.from({ length: Math.max(1, o.duplicates) }, () =>
      get(o.url, { headers: { "user-agent": o.userAgent, ...o.headers, ...signed }, redirect: "manual" }),
    ),
  );
  const bodies = await Promise.all(responses.map(async (r) => (r.status === 200 ? r.text() : (await r.body?.cancel(), null))));
  const paid = responses.map(answerOf);
  const ok = paid.every((a) => a.status === 200 && a.charged !== null);
  return { ...base, offered, paid, outcome: ok ? "paid" : "refused", body: bodies[0] ?? null };
}
