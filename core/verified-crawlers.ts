/**
 * Search, archive and AI crawlers verified by the IP ranges their operators publish, so a User-Agent claiming
 * Googlebot from elsewhere is a spoof. The bundled snapshot is core/data/crawler-ranges.json; a refresh (Cron
 * Trigger) validates what it fetched with the same schemas and rebuilds the index.
 */
import { z } from "zod";
import { parseCidr } from "./cidr";
import { CidrSet } from "./cidr-set";
import { productTokens } from "./product-tokens";
import { fail, ok, type Result } from "./result";

/** A CIDR string that `parseCidr` accepts (of one family, if given); the issue carries its reason. */
function cidrText(family?: 4 | 6) {
  return z.string().superRefine((text, ctx) => {
    const parsed = parseCidr(text);
    if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.error });
    else if (family !== undefined && parsed.value.family !== family)
      ctx.addIssue({ code: "custom", message: `"${text}" is not IPv${family}` });
  });
}

/** One crawler: the product tokens its User-Agent carries, and where and when its ranges were copied from. */
export const CrawlerSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  name: z.string().min(1),
  /** Product tokens; a dot is allowed for the few crawlers whose token is a host name (`archive.org_bot`). */
  userAgentTokens: z.array(z.string().regex(/^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/)).min(1),
  /** The operator's published list. */
  source: z.url(),
  /** When the copy was current (YYYY-MM-DD) and where it was taken from, if not from `source` directly. */
  snapshot: z.strictObject({ date: z.iso.date(), via: z.url().optional(), note: z.string().optional() }),
  prefixes: z.array(cidrText()).min(1),
});
/** One crawler entry, validated. */
export type Crawler = z.infer<typeof CrawlerSchema>;

/** The crawler-ranges document: ids and User-Agent tokens are unique across crawlers. */
export const CrawlerRangesSchema = z
  .strictObject({ version: z.literal(1), crawlers: z.array(CrawlerSchema).min(1) })
  .superRefine(({ crawlers }, ctx) => {
    const ids = new Set<string>();
    const tokens = new Map<string, string>();
    crawlers.forEach((crawler, i) => {
      if (ids.has(crawler.id))
        ctx.addIssue({ code: "custom", message: `duplicate crawler id "${crawler.id}"`, path: ["crawlers", i, "id"] });
      ids.add(crawler.id);
      for (const token of crawler.userAgentTokens) {
        const owner = tokens.get(token.toLowerCase());
        if (owner !== undefined && owner !== crawler.id) {
          ctx.addIssue({
            code: "custom",
            message: `token "${token}" belongs to both ${owner} and ${crawler.id}`,
            path: ["crawlers", i, "userAgentTokens"],
          });
        }
        tokens.set(token.toLowerCase(), crawler.id);
      }
    });
  });
/** A validated crawler-ranges document. */
export type CrawlerRanges = z.infer<typeof CrawlerRangesSchema>;

/**
 * The format the operators publish (e.g. https://developers.google.com/static/crawling/ipranges/common-crawlers.json,
 * https://www.bing.com/toolbox/bingbot.json, https://openai.com/gptbot.json): loose, since they add fields.
 */
export const PublishedRangesSchema = z.object({
  creationTime: z.string().optional(),
  prefixes: z.array(z.union([z.object({ ipv4Prefix: cidrText(4) }), z.object({ ipv6Prefix: cidrText(6) })])).min(1),
});
/** An operator's published list, validated. */
export type PublishedRanges = z.infer<typeof PublishedRangesSchema>;

/** The CIDRs of a published list, for a crawler entry's `prefixes`. */
export function publishedPrefixes(published: PublishedRanges): string[] {
  return published.prefixes.map((p) => ("ipv4Prefix" in p ? p.ipv4Prefix : p.ipv6Prefix));
}

/** Crawlers compiled for lookups: built once per isolate, not per request. */
export type CrawlerIndex = {
  readonly crawlers: readonly Crawler[];
  /** Lower-cased product token to its crawler's id and ranges. */
  readonly byToken: ReadonlyMap<string, { readonly id: string; readonly ranges: CidrSet<string> }>;
  /** Any token, case-insensitively: screens out the browser User-Agents that are most traffic in one test. */
  readonly screen: RegExp;
  /** Tokens with a dot, which product-token parsing splits: matched as whole words instead (not inside a URL path). */
  readonly dotted: readonly { readonly re: RegExp; readonly id: string; readonly ranges: CidrSet<string> }[];
};

/** Validates a crawler-ranges document and compiles each crawler's prefixes into a CidrSet. The error is for operators. */
export function buildCrawlerIndex(input: unknown): Result<CrawlerIndex, string> {
  const parsed = CrawlerRangesSchema.safeParse(input);
  if (!parsed.success) return fail(z.prettifyError(parsed.error));
  const byToken = new Map<string, { readonly id: string; readonly ranges: CidrSet<string> }>();
  const dotted: { re: RegExp; id: string; ranges: CidrSet<string> }[] = [];
  for (const crawler of parsed.data.crawlers) {
    const ranges = CidrSet.parse(crawler.prefixes.map((p) => [p, crawler.id] as const));
    if (!ranges.ok) return fail(`${crawler.id}: ${ranges.error}`); // unreachable after the schema; kept for the type
    for (const token of crawler.userAgentTokens) {
      byToken.set(token.toLowerCase(), { id: crawler.id, ranges: ranges.value });
      if (token.includes("."))
        dotted.push({
          re: new RegExp(`(?<![\\w./-])${token.replaceAll(".", "\\.")}(?![\\w-])`, "i"),
          id: crawler.id,
          ranges: ranges.value,
        });
    }
  }
  // Tokens are [A-Za-z0-9_.-] (schema): only the dot needs escaping.
  const screen = new RegExp([...byToken.keys()].map((t) => t.replaceAll(".", "\\.")).join("|"), "i");
  return ok({ crawlers: parsed.data.crawlers, byToken, screen, dotted });
}

/** A User-Agent's claim to be a known crawler, and whether the request came from that crawler's published ranges. */
export type CrawlerVerdict = { readonly crawler: string; readonly verified: boolean };

/**
 * Checks a claimed crawler against its ranges: `{ crawler: "googlebot", verified: false }` is a spoof. Null when the
 * User-Agent claims no known crawler (a browser, curl). The first known product token in the User-Agent decides.
 */
export function verifyCrawler(ip: string, userAgent: string, index: CrawlerIndex): CrawlerVerdict | null {
  if (!index.screen.test(userAgent)) return null;
  for (const token of productTokens(userAgent)) {
    const crawler = index.byToken.get(token.toLowerCase());
    if (crawler !== undefined) return { crawler: crawler.id, verified: crawler.ranges.has(ip) };
  }
  for (const crawler of index.dotted) if (crawler.re.test(userAgent)) return { crawler: crawler.id, verified: crawler.ranges.has(ip) };
  return null;
}
