import { z } from "zod";
import { CrawlerRangesSchema, PublishedRangesSchema, publishedPrefixes, type CrawlerRanges } from "./verified-crawlers";
import { fail, ok, type Result } from "./result";

/** Where the ai.robots.txt project publishes its list as JSON (one key per User-Agent token). */
export const AI_ROBOTS_JSON_URL = "https://raw.githubusercontent.com/ai-robots-txt/ai.robots.txt/main/robots.json";
/** KV keys of refreshed data; absent: the bundled snapshot is used. */
export const AI_AGENTS_KV_KEY = "data:ai-agents";
export const CRAWLER_RANGES_KV_KEY = "data:crawler-ranges";
/** A refreshed list shorter than this is taken for a broken fetch, not the truth. */
const MIN_AI_AGENTS = 20;
/** Search engines ai.robots.txt may list for their AI products, which must never be tarpitted by UA alone. */
const NEVER_AI = new Set(["googlebot", "bingbot", "applebot", "duckduckbot"]);

/** The refreshed AI agent list as stored in KV. */
export const AiAgentsSchema = z.object({ fetchedAt: z.number().int(), source: z.string(), tokens: z.array(z.string().min(2).max(80)).min(1) });
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

/**
 * Replaces each crawler's prefixes with a freshly fetched published list, keeping the bundled ones for any
 * crawler whose fetch failed or did not validate. `fetched` maps crawler id to the operator's JSON.
 */
export function refreshCrawlerRanges(bundled: CrawlerRanges, fetched: ReadonlyMap<string, unknown>, date: string): Result<{ ranges: CrawlerRanges; refreshed: string[]; kept: string[] }, string> {
  const refreshed: string[] = [];
  const kept: string[] = [];
  const crawlers = bundled.crawlers.map((crawler) => {
    const published = PublishedRangesSchema.safeParse(fetched.get(crawler.id));
    if (!published.success) {
      kept.push(crawler.id);
      return crawler;
    }
    refreshed.push(crawler.id);
    return { ...crawler, prefixes: publishedPrefixes(published.data), snapshot: { date } };
  });
  const ranges = CrawlerRangesSchema.safeParse({ version: 1, crawlers });
  return ranges.success ? ok({ ranges: ranges.data, refreshed, kept }) : fail(z.prettifyError(ranges.error));
}
