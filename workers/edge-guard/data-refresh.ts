import bundledRanges from "../../core/data/crawler-ranges.json";
import { AI_AGENTS_KV_KEY, AI_ROBOTS_JSON_URL, CRAWLER_RANGES_KV_KEY, parseAiRobotsJson, refreshCrawlerRanges } from "../../core/data-refresh";
import { CrawlerRangesSchema } from "../../core/verified-crawlers";

const FETCH_TIMEOUT_MS = 10_000;

/** What one refresh did, for the log and the tests. */
export interface RefreshOutcome {
  readonly aiAgents: number | string;
  readonly crawlersRefreshed: readonly string[];
  readonly crawlersKept: readonly string[];
}

async function fetchJson(fetcher: typeof fetch, url: string): Promise<unknown> {
  const response = await fetcher(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

/**
 * The Cron Trigger's work: fetch the ai.robots.txt list and each crawler's published IP ranges, validate them,
 * and store what passed in KV for the edge to load. What fails keeps the previous data (never an empty list).
 */
export async function refreshData(kv: KVNamespace, fetcher: typeof fetch, now: number): Promise<RefreshOutcome> {
  let aiAgents: number | string;
  try {
    const parsed = parseAiRobotsJson(await fetchJson(fetcher, AI_ROBOTS_JSON_URL), now);
    if (parsed.ok) {
      await kv.put(AI_AGENTS_KV_KEY, JSON.stringify(parsed.value));
      aiAgents = parsed.value.tokens.length;
    } else aiAgents = parsed.error;
  } catch (error) {
    aiAgents = String(error);
  }
  const bundled = CrawlerRangesSchema.parse(bundledRanges);
  const fetched = new Map<string, unknown>();
  await Promise.all(
    bundled.crawlers.map(async (c) => {
      try {
        fetched.set(c.id, await fetchJson(fetcher, c.source));
      } catch {
        // kept from the bundled snapshot below
      }
    }),
  );
  const refreshed = refreshCrawlerRanges(bundled, fetched, new Date(now).toISOString().slice(0, 10));
  if (refreshed.ok && refreshed.value.refreshed.length > 0) await kv.put(CRAWLER_RANGES_KV_KEY, JSON.stringify(refreshed.value.ranges));
  const outcome = {
    aiAgents,
    crawlersRefreshed: refreshed.ok ? refreshed.value.refreshed : [],
    crawlersKept: refreshed.ok ? refreshed.value.kept : bundled.crawlers.map((c) => c.id),
  };
  console.log(JSON.stringify({ msg: "data refresh", ...outcome }));
  return outcome;
}
