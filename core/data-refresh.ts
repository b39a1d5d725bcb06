import { z } from "zod";
import { checkRefreshedList, compileCrawlerList, MIN_REFRESH_SHARE, type DeclaredBotList } from "./declared-bots";
import { CrawlerRangesSchema, PublishedRangesSchema, publishedPrefixes, type CrawlerRanges } from "./verified-crawlers";
import { kvKeys } from "./kv-keys";
import { fail, ok, type Result } from "./result";
import { escapeRegExp } from "./text";

/** Where the ai.robots.txt project publishes its list as JSON (one key per User-Agent token). */
export const AI_ROBOTS_JSON_URL = "https://raw.githubusercontent.com/ai-robots-txt/ai.robots.txt/main/robots.json";
/** KV keys of refreshed data (core/kv-keys.ts); absent: the bundled snapshot is used. */
export const AI_AGENTS_KV_KEY = kvKeys.aiAgents;
export const CRAWLER_RANGES_KV_KEY = kvKeys.crawlerRanges;
export const DECLARED_BOTS_KV_KEY = kvKeys.declaredBots;
/** A refreshed list shorter than this is taken for a broken fetch, not the truth. */
const MIN_AI_AGENTS = 20;
/** Search engines ai.robots.txt may list for their AI products, which must never be tarpitted by UA alone. */
const NEVER_AI = new Set(["googlebot", "bingbot", "applebot", "duckduckbot"]);

/** The refreshed AI agent list as stored in KV. */
export const AiAgentsSchema = z.object({
  fetchedAt: z.number().int(),
  source: z.string(),
  tokens: z.array(z.string().min(2).max(80)).min(1),
});
export type AiAgents = z.infer<typeof AiAgentsSchema>;

/** Validates ai.robots.txt's robots.json (an object keyed by agent token) into a token list. */
export function parseAiRobotsJson(json: unknown, fetchedAt: number): Result<AiAgents, string> {
  const parsed = z.record(z.string(), z.unknown()).safeParse(json);
  if (!parsed.success) return fail("robots.json is not an object keyed by User-Agent token");
  const tokens = Object.keys(parsed.data)
    .map((t) => t.trim())
    .filter((t) => /^[A-Za-z0-9][A-Za-z0-9 ._-]{1,79}$/.test(t) && !NEVER_AI.has(t.toLowerCase()));
  if (tokens.length < MIN_AI_AGENTS) return fail(`robots.json lists only ${tokens.length} usable tokens (expected ≥ ${MIN_AI_AGENTS})`);
  return ok({ fetchedAt, source: AI_ROBOTS_JSON_URL, tokens });
}

/** The regex the edge builds from refreshed AI tokens (whole words, as core/crawlers.ts matches the bundled ones). */
export function aiAgentsRegExp(tokens: readonly string[]): RegExp {
  return new RegExp(`\\b(${tokens.map(escapeRegExp).join("|")})(?![\\w-])`, "i");
}

/**
 * Sanity checks on a refreshed AI agent list before it replaces the stored one: no token may match a mainstream
 * browser (`browsers`), and the list may not shrink below 80% of the `previous` one (null: nothing stored yet).
 */
export function checkAiAgents(agents: AiAgents, previous: number | null, browsers: readonly string[]): Result<AiAgents, string> {
  const count = agents.tokens.length;
  if (previous !== null && count < previous * MIN_REFRESH_SHARE)
    return fail(`the refreshed AI list has ${count} tokens, fewer than ${MIN_REFRESH_SHARE * 100}% of ${previous}`);
  const re = aiAgentsRegExp(agents.tokens);
  const browser = browsers.find((ua) => re.test(ua));
  if (browser !== undefined)
    return fail(`the refreshed AI list matches a browser (${re.exec(browser)?.[1] ?? "?"}): ${browser.slice(0, 120)}`);
  return ok(agents);
}

/** Validates and checks a fetched crawler-user-agents document against the previous (or bundled) pattern count. */
export function parseCrawlerList(
  json: unknown,
  previous: number,
  browsers: readonly string[],
  fetchedAt: number,
  url: string,
): Result<DeclaredBotList, string> {
  const compiled = compileCrawlerList(json, `${url} ${new Date(fetchedAt).toISOString().slice(0, 10)}`);
  return compiled.ok ? checkRefreshedList(compiled.value, previous, browsers) : compiled;
}

/**
 * Widest prefix a refreshed crawler list may hold: a verified crawler skips checks and passes ASN blocks, so a
 * list that suddenly names a /0 or a whole provider is refused (the bundled ranges stay). Published lists use
 * /20–/32 (IPv4) and /48–/64 (IPv6).
 */
export const CRAWLER_RANGE_MIN_BITS = { v4: 16, v6: 32 } as const;
const tooWide = (cidr: string): boolean =>
  Number(cidr.split("/")[1]) < (cidr.includes(":") ? CRAWLER_RANGE_MIN_BITS.v6 : CRAWLER_RANGE_MIN_BITS.v4);

/**
 * Replaces each crawler's prefixes with a freshly fetched published list, keeping the bundled ones for any
 * crawler whose fetch failed, did not validate, or named a range wider than CRAWLER_RANGE_MIN_BITS. `fetched` maps
 * crawler id to the operator's JSON.
 */
export function refreshCrawlerRanges(
  bundled: CrawlerRanges,
  fetched: ReadonlyMap<string, unknown>,
  date: string,
): Result<{ ranges: CrawlerRanges; refreshed: string[]; kept: string[] }, string> {
  const refreshed: string[] = [];
  const kept: string[] = [];
  const crawlers = bundled.crawlers.map((crawler) => {
    const published = PublishedRangesSchema.safeParse(fetched.get(crawler.id));
    if (!published.success || publishedPrefixes(published.data).some(tooWide)) {
      kept.push(crawler.id);
      return crawler;
    }
    refreshed.push(crawler.id);
    return { ...crawler, prefixes: publishedPrefixes(published.data), snapshot: { date } };
  });
  const ranges = CrawlerRangesSchema.safeParse({ version: 1, crawlers });
  return ranges.success ? ok({ ranges: ranges.data, refreshed, kept }) : fail(z.prettifyError(ranges.error));
}
