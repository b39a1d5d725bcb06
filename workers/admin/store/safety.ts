import type { Cidr } from "../../../core/cidr";
import crawlerRanges from "../../../core/data/crawler-ranges.json";
import { indexCrawlerRanges, safetyContext, type CrawlerRangeIndex, type SafetyContext } from "../../../core/admin/safety";
import { CrawlerRangesSchema } from "../../../core/verified-crawlers";
import type { BlocklistBindings } from "../../../adapters/blocklist-store";
import { targetOfAllowKey } from "../../../core/admin/allowlist";
import { allKeys } from "./kv";

/** The allow-listed networks, from the RangeIndex. */
export async function allowedNetworks(env: BlocklistBindings): Promise<Cidr[]> {
  const keys = await allKeys(env, "allow");
  return keys.flatMap((k) => {
    const target = targetOfAllowKey(k.name);
    return target === null ? [] : [target.cidr];
  });
}

/**
 * The one safety loader (operator blocks, imports, peer feeds and pushes): what a new block is checked against now,
 * reserved ranges, the allow-list, the verified crawlers' ranges. Part of admin's state; indexes the bundled crawler
 * ranges on first use, once per state.
 */
export class SafetyLoader {
  #crawlers: CrawlerRangeIndex | null = null;

  /** The bundled crawler ranges, validated and indexed (the suite checks the file, so a failure here is a build defect). */
  get crawlers(): CrawlerRangeIndex {
    this.#crawlers ??= indexCrawlerRanges(CrawlerRangesSchema.parse(crawlerRanges));
    return this.#crawlers;
  }

  /** The context a block is checked against; documentation ranges are allowed only in dev mode. */
  async load(env: BlocklistBindings, devMode: boolean): Promise<SafetyContext> {
    return safetyContext(await allowedNetworks(env), this.crawlers, devMode);
  }
}
