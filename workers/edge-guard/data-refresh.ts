import { KvWriter } from "../../adapters/kv";
import browserCanaries from "../../core/data/browser-canaries.json";
import bundledRanges from "../../core/data/crawler-ranges.json";
import {
  AI_AGENTS_KV_KEY,
  AI_ROBOTS_JSON_URL,
  AiAgentsSchema,
  checkAiAgents,
  CRAWLER_RANGES_KV_KEY,
  DECLARED_BOTS_KV_KEY,
  parseAiRobotsJson,
  parseCrawlerList,
  refreshCrawlerRanges,
} from "../../core/data-refresh";
import { bundledDeclaredBots, CRAWLER_USER_AGENTS_URL, DeclaredBotListSchema, patternCount } from "../../core/declared-bots";
import { CrawlerRangesSchema } from "../../core/verified-crawlers";
import type { Faults } from "./faults";

const FETCH_TIMEOUT_MS = 10_000;

/** What one refresh did, for the log and the tests. */
export interface RefreshOutcome {
  /** Tokens stored, or why the fetched list was refused (the previous one stays). */
  readonly aiAgents: number | string;
  /** crawler-user-agents patterns stored, or why the fetched list was refused. */
  readonly declaredBots: number | string;
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
export async function refreshData(kv: KVNamespace, fetcher: typeof fetch, now: number, faults: Faults): Promise<RefreshOutcome> {
  const aiAgents = await refreshAiAgents(kv, fetcher, now, faults);
  const declaredBots = await refreshDeclaredBots(kv, fetcher, now, faults);
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
  if (refreshed.ok && refreshed.value.refreshed.length > 0)
    await new KvWriter(kv, "edge-guard").putDocument(
      CRAWLER_RANGES_KV_KEY,
      JSON.stringify(refreshed.value.ranges),
      "verified crawler ranges, refreshed",
      { ttlSeconds: null, now },
    );
  const outcome = {
    aiAgents,
    declaredBots,
    crawlersRefreshed: refreshed.ok ? refreshed.value.refreshed : [],
    crawlersKept: refreshed.ok ? refreshed.value.kept : bundled.crawlers.map((c) => c.id),
  };
  console.log(JSON.stringify({ msg: "data refresh", ...outcome }));
  return outcome;
}

/** A refused refresh is a fault (counted, logged): the previous list stays, in KV or bundled. */
function refused(faults: Faults, what: string, reason: string): string {
  faults.record("data-refresh", new Error(`${what} refused: ${reason}`));
  return reason;
}

async function refreshAiAgents(kv: KVNamespace, fetcher: typeof fetch, now: number, faults: Faults): Promise<number | string> {
  let json: unknown;
  try {
    json = await fetchJson(fetcher, AI_ROBOTS_JSON_URL);
  } catch (error) {
    return String(error);
  }
  const parsed = parseAiRobotsJson(json, now);
  if (!parsed.ok) return refused(faults, "ai.robots.txt list", parsed.error);
  const stored = AiAgentsSchema.safeParse(await kv.get(AI_AGENTS_KV_KEY, "json"));
  const checked = checkAiAgents(parsed.value, stored.success ? stored.data.tokens.length : null, browserCanaries);
  if (!checked.ok) return refused(faults, "ai.robots.txt list", checked.error);
  await new KvWriter(kv, "edge-guard").putDocument(AI_AGENTS_KV_KEY, JSON.stringify(checked.value), "ai.robots.txt list, refreshed", {
    ttlSeconds: null,
    now,
  });
  return checked.value.tokens.length;
}

async function refreshDeclaredBots(kv: KVNamespace, fetcher: typeof fetch, now: number, faults: Faults): Promise<number | string> {
  let json: unknown;
  try {
    json = await fetchJson(fetcher, CRAWLER_USER_AGENTS_URL);
  } catch (error) {
    return String(error);
  }
  const stored = DeclaredBotListSchema.safeParse(await kv.get(DECLARED_BOTS_KV_KEY, "json"));
  const previous = patternCount(stored.success ? stored.data : bundledDeclaredBots().list);
  const parsed = parseCrawlerList(json, previous, browserCanaries, now, CRAWLER_USER_AGENTS_URL);
  if (!parsed.ok) return refused(faults, "crawler-user-agents list", parsed.error);
  await new KvWriter(kv, "edge-guard").putDocument(
    DECLARED_BOTS_KV_KEY,
    JSON.stringify(parsed.value),
    "crawler-user-agents list, refreshed",
    { ttlSeconds: null, now },
  );
  return patternCount(parsed.value);
}
