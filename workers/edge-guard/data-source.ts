import crawlerRanges from "../../core/data/crawler-ranges.json";
import { AI_AGENTS_KV_KEY, aiAgentsRegExp, AiAgentsSchema, CRAWLER_RANGES_KV_KEY, DECLARED_BOTS_KV_KEY } from "../../core/data-refresh";
import { buildMatcher, bundledDeclaredBots, DeclaredBotListSchema, type DeclaredBotMatcher } from "../../core/declared-bots";
import { buildCrawlerIndex, type CrawlerIndex } from "../../core/verified-crawlers";
import { DueRefresh } from "./due-refresh";
import type { Faults } from "./faults";

/** How often an isolate looks for refreshed data (the Cron Trigger refreshes every six hours). */
const DATA_REFRESH_MS = 60 * 60_000;

function bundledIndex(): CrawlerIndex {
  const index = buildCrawlerIndex(crawlerRanges);
  // The bundled ranges are checked by the test suite; failing here is a build defect.
  if (!index.ok) throw new Error(`core/data/crawler-ranges.json is invalid:\n${index.error}`);
  return index.value;
}

/**
 * Verified-crawler ranges, extra AI agent tokens and the declared-bot lists: the bundled snapshot until the Cron Trigger has stored a
 * refresh in KV. Invalid KV data is counted and ignored; the previous data stays.
 */
export class DataSource {
  constructor(private readonly faults: Faults) {}

  crawlers: CrawlerIndex = bundledIndex();
  /** Tokens from the refreshed ai.robots.txt list, beyond the bundled ones; null until loaded. */
  aiAgents: RegExp | null = null;
  /** The crawler-user-agents and isbot lists: bundled, or the Cron Trigger's checked refresh of crawler-user-agents. */
  declaredBots: DeclaredBotMatcher = bundledDeclaredBots().matcher;
  readonly #due = new DueRefresh(DATA_REFRESH_MS);

  /** Loads refreshed data when due: awaited once per isolate, in the background afterwards. */
  refresh(kv: KVNamespace, now: number, waitUntil: (p: Promise<unknown>) => void): Promise<void> {
    return this.#due.run(now, waitUntil, () => this.#load(kv));
  }

  async #load(kv: KVNamespace): Promise<void> {
    try {
      const [agents, ranges, declared] = await Promise.all([
        kv.get(AI_AGENTS_KV_KEY, "json"),
        kv.get(CRAWLER_RANGES_KV_KEY, "json"),
        kv.get(DECLARED_BOTS_KV_KEY, "json"),
      ]);
      if (agents !== null) {
        const parsed = AiAgentsSchema.safeParse(agents);
        if (parsed.success) this.aiAgents = aiAgentsRegExp(parsed.data.tokens);
        else this.faults.record("policy", new Error("refreshed AI agent list in KV is invalid; keeping the previous one"));
      }
      if (declared !== null) {
        const parsed = DeclaredBotListSchema.safeParse(declared);
        if (parsed.success) this.declaredBots = buildMatcher(parsed.data, bundledDeclaredBots().generic);
        else this.faults.record("data-refresh", new Error("refreshed crawler list in KV is invalid; keeping the previous one"));
      }
      if (ranges !== null) {
        const index = buildCrawlerIndex(ranges);
        if (index.ok) this.crawlers = index.value;
        else
          this.faults.record("policy", new Error(`refreshed crawler ranges in KV are invalid; keeping the previous ones:\n${index.error}`));
      }
    } catch (error) {
      this.faults.record("policy", error);
    }
  }
}
