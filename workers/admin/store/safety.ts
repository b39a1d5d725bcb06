import type { Cidr } from "../../../core/cidr";
import crawlerRanges from "../../../core/data/crawler-ranges.json";
import { indexCrawlerRanges, safetyContext, type CrawlerRangeIndex, type SafetyContext } from "../../../core/admin/safety";
import { CrawlerRangesSchema } from "../../../core/verified-crawlers";
import type { BlocklistBindings } from "../../../adapters/blocklist-store";
import { targetOfAllowKey } from "../../../core/admin/allowlist";
import { allKeys } from "./kv";

let crawlers: CrawlerRangeIndex | null = null;

function bundledCrawlers(): CrawlerRangeIndex {
  // Validated and indexed once per isolate; the test suite checks the bundled file, so a failure here is a build defect.
  crawlers ??= indexCrawlerRanges(CrawlerRangesSchema.parse(crawlerRanges));
  return crawlers;
}

/** The allow-listed networks, from the RangeIndex. */
export async function allowedNetworks(env: BlocklistBindings): Promise<Cidr[]> {
  const keys = await allKeys(env, "allow");
  return keys.flatMap((k) => {
    const target = targetOfAllowKey(k.name);
    return target === null ? [] : [target.cidr];
  });
}

/** What a new block is checked against now: reserved ranges, the allow-list, the verified crawlers' ranges. */
export async function loadSafetyContext(env: BlocklistBindings, devMode: boolean): Promise<SafetyContext> {
  return safetyContext(await allowedNetworks(env), bundledCrawlers(), devMode);
}
