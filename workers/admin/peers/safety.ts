import type { Cidr } from "../../../core/cidr";
import crawlerRanges from "../../../core/data/crawler-ranges.json";
import { ALLOW_KEY_PREFIX, targetOfAllowKey } from "../../../core/admin/allowlist";
import { indexCrawlerRanges, safetyContext, type CrawlerRangeIndex, type SafetyContext } from "../../../core/admin/safety";
import { CrawlerRangesSchema } from "../../../core/verified-crawlers";

/** Most `allow:` keys read (KV lists 1000 per call; each call is one of the Worker's KV operations). */
const MAX_ALLOW_KEYS = 10_000;

let crawlers: CrawlerRangeIndex | null = null;

/**
 * What every peer entry is checked against, as an operator's block is: reserved ranges (documentation ranges
 * too, unless dev mode), the allow-list (`allow:` keys; their presence is what counts), verified crawlers' ranges.
 */
export async function loadPeerSafety(ns: KVNamespace, devMode: boolean): Promise<SafetyContext> {
  // The bundled file is validated by the test suite; indexed once per isolate.
  crawlers ??= indexCrawlerRanges(CrawlerRangesSchema.parse(crawlerRanges));
  const allowed: Cidr[] = [];
  let cursor: string | undefined;
  do {
    const page = await ns.list({ prefix: ALLOW_KEY_PREFIX, cursor, limit: 1000 });
    for (const k of page.keys) {
      const target = targetOfAllowKey(k.name);
      if (target !== null) allowed.push(target.cidr);
    }
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor !== undefined && allowed.length < MAX_ALLOW_KEYS);
  return safetyContext(allowed, crawlers, devMode);
}
