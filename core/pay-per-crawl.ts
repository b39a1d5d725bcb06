import { z } from "zod";

// Pay per crawl: HTTP 402 with crawler pricing, wire-compatible with Cloudflare's protocol
// (https://developers.cloudflare.com/ai-crawl-control/features/pay-per-crawl/): `crawler-price` on a 402, the crawler
// retries signed with Web Bot Auth and one of `crawler-exact-price` / `crawler-max-price` (a covered component),
// and a paid answer carries `crawler-charged`. Amounts are integer micro-dollars (1 USD = 1 000 000), never floats.

/** One US dollar in the unit every amount here is kept in. */
export const MICROS_PER_USD = 1_000_000;
/** The highest amount a price or a price header may state: anything above is a typo or an attack, USD 1000. */
export const MAX_PRICE_MICROS = 1000 * MICROS_PER_USD;
/** The only currency the protocol uses today. */
export const PRICE_CURRENCY = "USD";

export const CRAWLER_PRICE_HEADER = "crawler-price";
export const CRAWLER_EXACT_PRICE_HEADER = "crawler-exact-price" as const;
export const CRAWLER_MAX_PRICE_HEADER = "crawler-max-price" as const;
export const CRAWLER_CHARGED_HEADER = "crawler-charged";
export const CRAWLER_ERROR_HEADER = "crawler-error";
/** Sent to the origin for a path priced in-band; the origin answers with its own `crawler-price` (or none: free). */
export const PAY_PER_CRAWL_ORIGIN_HEADER = "cf-pay-per-crawl";
export const IN_BAND_REQUEST = "pricing=in-band";
/** A price rule's `price` that leaves the price to the origin (in-band pricing). */
export const IN_BAND = "in-band";

/** Every `crawler-error` the edge sends, with its HTTP status (issue 14's table; public, stable). */
export const PAY_ERRORS = {
  StrongAuthRequired: 400,
  InvalidSignature: 400,
  InvalidCrawlerPriceValue: 400,
  ConflictingPriceHeaders: 400,
  MissingCrawlerPrice: 402,
  InvalidCrawlerExactPrice: 402,
  InvalidCrawlerMaxPrice: 402,
  CrawlerForbidden: 403,
  PaymentFailed: 403,
  InvalidContentPrice: 502,
} as const satisfies Record<string, 400 | 402 | 403 | 502>;
export type PayError = keyof typeof PAY_ERRORS;

const PRICE_TEXT = /^USD (0|[1-9]\d{0,3})(?:\.(\d{1,6}))?$/;

/** Micro-dollars of a `USD 0.01` value (one space, up to 6 decimals, at most MAX_PRICE_MICROS), or null. */
export function parsePrice(text: string): number | null {
  const match = PRICE_TEXT.exec(text.trim());
  if (match === null) return null;
  const micros = Number(match[1]) * MICROS_PER_USD + Number((match[2] ?? "").padEnd(6, "0"));
  return micros <= MAX_PRICE_MICROS ? micros : null;
}

/** `USD 0.01` for 10 000 micro-dollars: at least two decimals, no trailing zeros beyond them. */
export function formatPrice(micros: number): string {
  const whole = Math.floor(micros / MICROS_PER_USD);
  const fraction = String(micros % MICROS_PER_USD)
    .padStart(6, "0")
    .replace(/0{1,4}$/, "");
  return `${PRICE_CURRENCY} ${whole}.${fraction}`;
}

const PRICE_HINT = `a price such as "USD 0.01": US dollars, up to 6 decimals, more than 0 and at most ${formatPrice(MAX_PRICE_MICROS)}`;
const PriceText = z.string().refine((text) => (parsePrice(text) ?? 0) > 0, PRICE_HINT);
/** A price rule's price: a fixed price, or `in-band` (the origin names it per response, in `crawler-price`). */
const RulePrice = z
  .string()
  .refine(
    (text) => text === IN_BAND || (parsePrice(text) ?? 0) > 0,
    `${PRICE_HINT}; or "${IN_BAND}" (the origin names the price in its crawler-price header)`,
  );

/** A path pattern: starts with `/`; `*` matches any run of characters (`/articles/*`). No regex: nothing can backtrack. */
const PathPattern = z
  .string()
  .min(1)
  .max(300)
  .regex(/^\/[^\s?#]*$/, "a path such as /articles/* (starts with /, no query, * matches anything)");

/** What a crawler says it does with the content (Content Signals: https://contentsignals.org). */
export const CrawlerPurposeSchema = z.enum(["search", "ai-input", "ai-train"]);
export type CrawlerPurpose = z.infer<typeof CrawlerPurposeSchema>;

const PriceRuleSchema = z.strictObject({
  path: PathPattern,
  price: RulePrice,
  /** Only these crawlers (by the name the policy's Web Bot Auth trust gives them); absent: every priced crawler. */
  crawlers: z.array(z.string().min(1).max(60)).min(1).max(100).optional(),
  /** Only crawlers declaring one of these purposes; absent: any purpose. */
  purposes: z.array(CrawlerPurposeSchema).min(1).optional(),
});

const CrawlerTermsSchema = z.strictObject({
  purpose: CrawlerPurposeSchema.optional(),
  /** Refused with 403 CrawlerForbidden, paying or not. */
  forbidden: z.boolean().optional(),
  /** Total this crawler may be charged; past it a charge fails with 403 PaymentFailed. */
  spendCap: PriceText.optional(),
});

/**
 * The `payPerCrawl` section of a policy. Only crawlers identified by a valid Web Bot Auth signature from a signer
 * the policy trusts (`webBotAuth`) are priced; people and unsigned clients never see a 402. The first matching
 * price rule wins; robots.txt, sitemaps and `/.well-known/*` are always free, and so is every `freePaths` entry.
 */
export const PayPerCrawlSchema = z.strictObject({
  prices: z.array(PriceRuleSchema).min(1).max(200),
  freePaths: z.array(PathPattern).max(200).optional(),
  /** Per crawler (the trusted signer's name, or its origin or thumbprint when unnamed). */
  crawlers: z.record(z.string().min(1).max(200), CrawlerTermsSchema).optional(),
  /** The 402 body: a short licensing message. */
  message: z.string().min(1).max(500).optional(),
  /** Where a crawler's operator reads the licence terms; appended to the 402 body. */
  licenseUrl: z
    .url({ protocol: /^https?$/, error: "an http(s) URL" })
    .max(500)
    .optional(),
});
export type PayPerCrawlPolicy = z.infer<typeof PayPerCrawlSchema>;

/** The licensing message a 402 carries when the policy sets none. */
export const DEFAULT_PAY_MESSAGE =
  "Crawling this content is paid. Retry signed with Web Bot Auth and a crawler-exact-price or crawler-max-price header.";

interface CompiledPriceRule {
  readonly path: string;
  readonly micros: number | typeof IN_BAND;
  readonly crawlers: ReadonlySet<string> | null;
  readonly purposes: ReadonlySet<CrawlerPurpose> | null;
}
interface CrawlerTerms {
  readonly purpose: CrawlerPurpose | null;
  readonly forbidden: boolean;
  readonly capMicros: number | null;
}
/** A payPerCrawl section with its prices in micro-dollars, built once when the policy compiles. */
export interface PayPerCrawl {
  readonly prices: readonly CompiledPriceRule[];
  readonly freePaths: readonly string[];
  readonly crawlers: ReadonlyMap<string, CrawlerTerms>;
  /** The 402 body. */
  readonly body: string;
}

/** Compiles a validated section (its price texts are known to parse). */
export function compilePayPerCrawl(section: PayPerCrawlPolicy): PayPerCrawl {
  const micros = (text: string) => parsePrice(text) ?? MAX_PRICE_MICROS; // validated: never the fallback
  return {
    prices: section.prices.map((p) => ({
      path: p.path,
      micros: p.price === IN_BAND ? IN_BAND : micros(p.price),
      crawlers: p.crawlers ? new Set(p.crawlers) : null,
      purposes: p.purposes ? new Set(p.purposes) : null,
    })),
    freePaths: section.freePaths ?? [],
    crawlers: new Map(
      Object.entries(section.crawlers ?? {}).map(([name, t]) => [
        name,
        { purpose: t.purpose ?? null, forbidden: t.forbidden ?? false, capMicros: t.spendCap === undefined ? null : micros(t.spendCap) },
      ]),
    ),
    body: `${section.message ?? DEFAULT_PAY_MESSAGE}${section.licenseUrl === undefined ? "" : `\nLicence: ${section.licenseUrl}`}\n`,
  };
}

/** Whether a glob (`*` = any run of characters) matches a whole path. Leftmost matching is exact for `*`-only globs. */
export function globMatch(pattern: string, path: string): boolean {
  const parts = pattern.split("*");
  const first = parts[0] ?? "";
  if (parts.length === 1) return path === pattern;
  const last = parts[parts.length - 1] ?? "";
  if (path.length < first.length + last.length || !path.startsWith(first) || !path.endsWith(last)) return false;
  let at = first.length;
  const end = path.length - last.length;
  for (const middle of parts.slice(1, -1)) {
    const found = path.indexOf(middle, at);
    if (found < 0 || found + middle.length > end) return false;
    at = found + middle.length;
  }
  return true;
}

/** robots.txt, sitemaps and `/.well-known/*`: free whatever the policy says, so any crawler can learn the terms. */
export function alwaysFree(path: string): boolean {
  if (path === "/robots.txt" || path.startsWith("/.well-known/")) return true;
  const name = path.slice(path.lastIndexOf("/") + 1).toLowerCase();
  return /^sitemap[\w.-]*\.xml(?:\.gz)?$/.test(name);
}

/** Whether any crawler could be charged for this path: the cheap test run before a signature is verified. */
export function pricedPath(pricing: PayPerCrawl, path: string): boolean {
  if (alwaysFree(path) || pricing.freePaths.some((p) => globMatch(p, path))) return false;
  return pricing.prices.some((rule) => globMatch(rule.path, path));
}

/** The price of a path for one crawler (by its trusted name): micro-dollars, IN_BAND (the origin names it), or null (free). */
export function priceFor(pricing: PayPerCrawl, path: string, crawler: string): number | typeof IN_BAND | null {
  if (!pricedPath(pricing, path)) return null;
  const purpose = pricing.crawlers.get(crawler)?.purpose ?? null;
  const rule = pricing.prices.find(
    (r) =>
      globMatch(r.path, path) &&
      (r.crawlers === null || r.crawlers.has(crawler)) &&
      (r.purposes === null || (purpose !== null && r.purposes.has(purpose))),
  );
  return rule?.micros ?? null;
}

/** What the edge knows about one request to a priced path. Header values as received (null: absent). */
export interface PayRequest {
  readonly path: string;
  readonly exactPrice: string | null;
  readonly maxPrice: string | null;
  /**
   * null: no Web Bot Auth signature; "invalid": one that did not verify; otherwise the verified signer: the name the
   * policy's trust gives it (null: a signer the policy does not trust) and the signature's covered components.
   */
  readonly signer: null | "invalid" | { readonly name: string | null; readonly covered: ReadonlySet<string> };
}

/** A crawler's offer: the price header it sent (covered by its signature) and the amount, micro-dollars. */
export interface PriceOffer {
  readonly header: typeof CRAWLER_EXACT_PRICE_HEADER | typeof CRAWLER_MAX_PRICE_HEADER;
  readonly micros: number;
}

/**
 * pass: not a pay-per-crawl exchange (the usual pipeline decides); refuse: answer with this error; charge: then serve;
 * in-band: ask the origin (PAY_PER_CRAWL_ORIGIN_HEADER), then settle its price with `inBandDecision`.
 */
export type PayDecision =
  | { readonly kind: "pass" }
  | { readonly kind: "refuse"; readonly error: PayError; readonly priceMicros: number | null }
  | { readonly kind: "charge"; readonly priceMicros: number; readonly crawler: string; readonly capMicros: number | null }
  | { readonly kind: "in-band"; readonly offer: PriceOffer | null; readonly crawler: string; readonly capMicros: number | null };

const refuse = (error: PayError, priceMicros: number | null = null): PayDecision => ({ kind: "refuse", error, priceMicros });

/**
 * Decides one request to a path `pricedPath` priced. A client with neither a signature nor a price header passes
 * (people never see a 402); price headers demand a verified signature that covers them; the header must meet the price.
 */
export function payDecision(pricing: PayPerCrawl, request: PayRequest): PayDecision {
  const { exactPrice, maxPrice, signer } = request;
  const offered = exactPrice !== null || maxPrice !== null;
  if (signer === null) return offered ? refuse("StrongAuthRequired") : { kind: "pass" };
  if (signer === "invalid") return offered ? refuse("InvalidSignature") : { kind: "pass" };
  // A valid signer the operator does not trust is identified, not priced: its offer to pay is declined.
  if (signer.name === null) return offered ? refuse("CrawlerForbidden") : { kind: "pass" };
  const terms = pricing.crawlers.get(signer.name);
  if (terms?.forbidden === true) return refuse("CrawlerForbidden");
  const price = priceFor(pricing, request.path, signer.name);
  if (price === null) return { kind: "pass" }; // free for this crawler: served as usual, never charged
  const known = price === IN_BAND ? null : price; // an in-band price is known only once the origin answered
  const capMicros = terms?.capMicros ?? null;
  if (exactPrice !== null && maxPrice !== null) return refuse("ConflictingPriceHeaders", known);
  if (!offered)
    return known === null ? { kind: "in-band", offer: null, crawler: signer.name, capMicros } : refuse("MissingCrawlerPrice", known);
  const header = exactPrice !== null ? CRAWLER_EXACT_PRICE_HEADER : CRAWLER_MAX_PRICE_HEADER;
  const micros = parsePrice(exactPrice ?? maxPrice ?? "");
  if (micros === null) return refuse("InvalidCrawlerPriceValue", known);
  // The offer must be signed: otherwise whoever relays the request could raise what the crawler agreed to pay.
  if (!signer.covered.has(header)) return refuse("StrongAuthRequired", known);
  const offer: PriceOffer = { header, micros };
  if (known === null) return { kind: "in-band", offer, crawler: signer.name, capMicros };
  return judgeOffer(offer, known, signer.name, capMicros);
}

/** Whether an offer meets a known price: charge the price (never the maximum offered), or refuse with the reason. */
function judgeOffer(offer: PriceOffer | null, price: number, crawler: string, capMicros: number | null): PayDecision {
  if (offer === null) return refuse("MissingCrawlerPrice", price);
  if (offer.header === CRAWLER_EXACT_PRICE_HEADER && offer.micros !== price) return refuse("InvalidCrawlerExactPrice", price);
  if (offer.header === CRAWLER_MAX_PRICE_HEADER && offer.micros < price) return refuse("InvalidCrawlerMaxPrice", price);
  return { kind: "charge", priceMicros: price, crawler, capMicros };
}

/**
 * Settles an in-band exchange once the origin answered: no `crawler-price` from the origin means the page is free
 * (pass: served as the origin sent it); a price that does not parse as a positive USD price is the origin's fault
 * (502 InvalidContentPrice); otherwise the crawler's offer is judged against it as against a policy price.
 */
export function inBandDecision(inBand: Extract<PayDecision, { kind: "in-band" }>, originPrice: string | null): PayDecision {
  if (originPrice === null) return { kind: "pass" };
  const price = parsePrice(originPrice);
  if (price === null || price === 0) return refuse("InvalidContentPrice");
  return judgeOffer(inBand.offer, price, inBand.crawler, inBand.capMicros);
}
