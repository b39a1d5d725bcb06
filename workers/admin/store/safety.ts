import type { Cidr } from "../../../core/cidr";
import crawlerRanges from "../../../core/data/crawler-ranges.json";
import { indexCrawlerRanges, safetyContext, type CrawlerRangeIndex, type SafetyContext } from "../../../core/admin/safety";
import { CrawlerRangesSchema } from "../../../core/verified-crawlers";
import { ALLOW_KEY_PREFIX, targetOfAllowKey } from "../../../core/admin/allowlist";
import { allKeys } from "./kv";

let crawlers: CrawlerRangeIndex | null = null;

function bundledCrawlers(): CrawlerRangeIndex {
  // Validated and indexed once per isolate; the test suite checks the bundled file, so a failure here is a build defect.
  crawlers ??= indexCrawlerRanges(CrawlerRangesSchema.parse(crawlerRanges));
  return crawlers;
}

/** The allow-listed networks, from KV `allow:` keys. */
export async function allowedNetworks(ns: KVNamespace): Promise<Cidr[]> {
  const keys = await allKeys(ns, ALLOW_KEY_PREFIX);
  return keys.flatMap((k) => {
    const target = targetOfAllowKey(k.name);
    return target === null ? [] : [target.cidr];
  });
}

/** What a new block is checked against now: reserved ranges, the allow-list, the verified crawlers' ranges. */
export async function loadSafetyContext(ns: KVNamespace, devMode: boolean): Promise<SafetyContext> {
  return safetyContext(await allowedNetworks(ns), bundledCrawlers(), devMode);
}
