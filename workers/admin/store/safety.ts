import type { Cidr } from "../../../core/cidr";
import crawlerRanges from "../../../core/data/crawler-ranges.json";
import { indexCrawlerRanges, safetyContext, type CrawlerRangeIndex, type SafetyContext } from "../../../core/admin/safety";
import { CrawlerRangesSchema } from "../../../core/verified-crawlers";
import type { BlocklistBindings } from "../../../adapters/blocklist-store";
import { targetOfAllowKey } from "../../../core/admin/allowlist";
import { allKeys } from "./kv";
import { RANGE_INDEX_INSTANCE } from "../../../core/range-entries";
import { splitSiteKey } from "../../../core/kv-keys";
import { DEFAULT_SITE_ID } from "../../../core/sites";

/** The networks allow-listed on a site: its own allow-list and the entries shared across every site (RangeIndex). */
export async function allowedNetworks(env: BlocklistBindings, site: string = DEFAULT_SITE_ID): Promise<Cidr[]> {
  const [own, shared] = await Promise.all([
    allKeys(env, "allow", 10_000, site),
    env.RANGE_INDEX.getByName(RANGE_INDEX_INSTANCE).listShared("allow"),
  ]);
  const keys = [...own, ...shared.filter((item) => splitSiteKey(item.key).site !== site).map((item) => ({ name: item.key }))];
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

  /** The context a block for `site` is checked against (its allow-list); documentation ranges are allowed only in dev mode. */
  async load(env: BlocklistBindings, devMode: boolean, site: string = DEFAULT_SITE_ID): Promise<SafetyContext> {
    return safetyContext(await allowedNetworks(env, site), this.crawlers, devMode);
  }
}
