// In-band pricing on the demo origin: under /premium/* the origin names the price itself, in `crawler-price`, when the
// edge asks (`cf-pay-per-crawl: pricing=in-band`). /premium/<slug> is the article of that slug; one path answers a
// malformed price, so the edge's 502 InvalidContentPrice can be seen and tested.

export const IN_BAND_PREFIX = "/premium/";
/** The price the demo origin names for a premium article. */
export const IN_BAND_DEMO_PRICE = "USD 0.05";
/** A premium path whose price the demo origin gets wrong (a comma), on purpose. */
export const IN_BAND_BAD_PRICE_PATH = "/premium/bad-price";

/** The path whose page a request target is served from (a premium path serves the article of its slug). */
export function servedTarget(target: string): string {
  if (!target.startsWith(IN_BAND_PREFIX)) return target;
  return target.startsWith(IN_BAND_BAD_PRICE_PATH) ? "/" : `/articles/${target.slice(IN_BAND_PREFIX.length)}`;
}

/** The `crawler-price` the origin answers for a request target, when the edge asked for an in-band price; else null. */
export function inBandPrice(target: string, asked: string | undefined): string | null {
  if (asked?.trim().toLowerCase() !== "pricing=in-band" || !target.startsWith(IN_BAND_PREFIX)) return null;
  return target.startsWith(IN_BAND_BAD_PRICE_PATH) ? "USD 0,05" : IN_BAND_DEMO_PRICE;
}
