import { IN_BAND, priceFor, type PayPerCrawl } from "./pay-per-crawl";

/** Paths a dry run lists, most earning first. */
export const DRY_RUN_TOP_PATHS = 20;

/** What a pricing would have earned from past crawler requests. */
export interface PriceDryRun {
  /** Crawler requests looked at, and those on a path the pricing charges. */
  readonly requests: number;
  readonly pricedRequests: number;
  /** Crawler requests on paths priced in-band: the origin names those prices per page, so they are not estimated. */
  readonly inBandRequests: number;
  /** Their sum at the pricing's prices (micro-dollars). */
  readonly estimatedMicros: number;
  readonly topPaths: readonly { readonly path: string; readonly requests: number; readonly priceMicros: number; readonly micros: number }[];
}

/**
 * Prices past crawler requests (counted per path) as a crawler with no terms of its own would pay them: the first
 * price rule for the path that names no crawler and no purpose. A query string is not part of the priced path. Paths
 * priced in-band are counted apart (`inBandRequests`): only the origin knows their prices.
 */
export function priceDryRun(pricing: PayPerCrawl, counts: readonly { readonly path: string; readonly requests: number }[]): PriceDryRun {
  let requests = 0;
  let pricedRequests = 0;
  let inBandRequests = 0;
  let estimatedMicros = 0;
  const byPath = new Map<string, { requests: number; priceMicros: number }>();
  for (const { path: raw, requests: n } of counts) {
    requests += n;
    const path = raw.split("?")[0] ?? raw;
    const price = priceFor(pricing, path, "");
    if (price === IN_BAND) {
      inBandRequests += n;
      continue;
    }
    if (price === null || price === 0) continue;
    pricedRequests += n;
    estimatedMicros += n * price;
    const seen = byPath.get(path);
    byPath.set(path, { requests: (seen?.requests ?? 0) + n, priceMicros: price });
  }
  const topPaths = [...byPath]
    .map(([path, v]) => ({ path, requests: v.requests, priceMicros: v.priceMicros, micros: v.requests * v.priceMicros }))
    .sort((a, b) => b.micros - a.micros || a.path.localeCompare(b.path))
    .slice(0, DRY_RUN_TOP_PATHS);
  return { requests, pricedRequests, inBandRequests, estimatedMicros, topPaths };
}
