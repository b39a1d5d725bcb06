import { cidrContains, parseCidr, type Cidr } from "../cidr";
import { CidrSet } from "../cidr-set";
import { fail, ok, type Result } from "../result";
import type { CrawlerRanges } from "../verified-crawlers";
import type { BlockTarget } from "./block-target";

/**
 * Special-purpose ranges no operator should block (IANA IPv4/IPv6 Special-Purpose Address Registries, RFC 6890):
 * blocking them is either a no-op at the edge or a way to lock out infrastructure. Documentation ranges are separate.
 */
export const RESERVED_RANGES: readonly string[] = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.88.99.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "224.0.0.0/4",
  "240.0.0.0/4",
  "::/127",
  "::ffff:0:0/96",
  "64:ff9b::/96",
  "64:ff9b:1::/48",
  "100::/64",
  "2001::/23",
  "2002::/16",
  "fc00::/7",
  "fe80::/10",
  "ff00::/8",
];

/**
 * TEST-NET-1/2/3, 2001:db8::/32 and 3fff::/20 (RFC 5737, RFC 3849, RFC 9637): reserved, yet what the dev stack and its
 * demos use as clients.
 */
export const DOCUMENTATION_RANGES: readonly string[] = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32", "3fff::/20"];

/** Shortest prefixes a block may have: a wider network is almost always a typo (`/1` for `/21`). */
export const MIN_BLOCK_BITS: { readonly 4: number; readonly 6: number } = { 4: 8, 6: 24 };

/** What a new block is checked against. */
export interface SafetyContext {
  /** Reserved ranges (parsed `RESERVED_RANGES`, plus `DOCUMENTATION_RANGES` outside dev). */
  readonly reserved: readonly Cidr[];
  /** Allow-listed addresses and networks. */
  readonly allowed: readonly Cidr[];
  /** Verified crawlers' published ranges, by crawler id; `crawlerList` is the same ranges for overlap scans. */
  readonly crawlers: CidrSet<string>;
  readonly crawlerList: readonly { readonly cidr: Cidr; readonly crawler: string }[];
}

/** Parses CIDR texts known to be valid (the constants above); throws on a typo, which is a bug. */
export function parseRanges(texts: readonly string[]): Cidr[] {
  return texts.map((text) => {
    const parsed = parseCidr(text);
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.value;
  });
}

function networkAddress(cidr: Cidr): string {
  return cidr.text.slice(0, cidr.text.lastIndexOf("/"));
}

/** True when two networks share any address: the wider one holds the narrower one's network address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const [wide, narrow] = a.bits <= b.bits ? [a, b] : [b, a];
  return cidrContains(wide, networkAddress(narrow));
}

/**
 * Refuses a block that would hit what must stay reachable: reserved ranges, allow-listed addresses, verified
 * crawlers' ranges, or a network wider than `MIN_BLOCK_BITS`. AS numbers are checked when parsed. The error is for operators.
 */
export function checkBlockTarget(target: BlockTarget, ctx: SafetyContext): Result<BlockTarget, string> {
  if (target.kind === "asn") return ok(target);
  const cidr = target.cidr;
  const min = MIN_BLOCK_BITS[cidr.family];
  if (cidr.bits < min) return fail(`${cidr.text} is wider than /${min}; block smaller networks`);
  const reserved = ctx.reserved.find((r) => cidrsOverlap(r, cidr));
  if (reserved !== undefined) return fail(`${cidr.text} overlaps the reserved range ${reserved.text}`);
  const allowed = ctx.allowed.find((a) => cidrsOverlap(a, cidr));
  if (allowed !== undefined) return fail(`${cidr.text} overlaps the allow-listed ${allowed.text}`);
  const crawler =
    target.kind === "ip" ? ctx.crawlers.match(target.ip)?.value : ctx.crawlerList.find((c) => cidrsOverlap(c.cidr, cidr))?.crawler;
  if (crawler !== undefined) return fail(`${cidr.text} overlaps ranges of the verified crawler ${crawler}`);
  return ok(target);
}

/** Verified crawlers' ranges, indexed for `checkBlockTarget`: build once per isolate. */
export type CrawlerRangeIndex = Pick<SafetyContext, "crawlers" | "crawlerList">;

/** Indexes a validated crawler-ranges document. */
export function indexCrawlerRanges(crawlers: CrawlerRanges): CrawlerRangeIndex {
  const crawlerList = crawlers.crawlers.flatMap((c) => parseRanges(c.prefixes).map((cidr) => ({ cidr, crawler: c.id })));
  return { crawlers: new CidrSet(crawlerList.map((c) => [c.cidr, c.crawler] as const)), crawlerList };
}

/** The context for one request: reserved ranges (documentation ones too unless `allowDocumentation`), the allow-list, the crawlers. */
export function safetyContext(allowed: readonly Cidr[], crawlers: CrawlerRangeIndex, allowDocumentation: boolean): SafetyContext {
  return { reserved: allowDocumentation ? RESERVED : RESERVED_AND_DOCUMENTATION, allowed, ...crawlers };
}

const RESERVED = parseRanges(RESERVED_RANGES);
const RESERVED_AND_DOCUMENTATION = parseRanges([...RESERVED_RANGES, ...DOCUMENTATION_RANGES]);
