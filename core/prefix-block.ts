import type { BlocklistEntry } from "./blocklist-entry";
import { DOCUMENTATION_RANGES, parseRanges, RESERVED_RANGES } from "./admin/safety";
import { cidrContains, clientPrefix, type Cidr } from "./cidr";

/** Distinct bot IPs of one client prefix (/24 or /64), inside PREFIX_WINDOW_MS, that put the whole prefix on the blocklist. */
export const DEFAULT_PREFIX_MIN_BOT_IPS = 5;
/** How far back bot verdicts count toward a prefix block, ms. */
export const DEFAULT_PREFIX_WINDOW_MS = 10 * 60_000;

/**
 * Special-purpose ranges never blocked as a prefix: the reserved and documentation ranges an operator may not block
 * either (core/admin/safety.ts, one list). A "prefix" there is usually a proxy, a NAT or a misconfigured client IP
 * header, not one bot operator.
 */
const SPECIAL_RANGES: readonly Cidr[] = parseRanges([...RESERVED_RANGES, ...DOCUMENTATION_RANGES]);

/** True when `ip` lies in a special-purpose range (see SPECIAL_RANGES), or is not an address at all. */
export function isSpecialPurpose(ip: string): boolean {
  return SPECIAL_RANGES.some((range) => cidrContains(range, ip)) || clientPrefix(ip) === null;
}

/**
 * The client prefixes (IPv4 /24, IPv6 /64) to blocklist, given the distinct bot IPs seen per prefix inside the
 * window: those with at least `minBotIps`, never a special-purpose range. Sorted, for stable logs and tests.
 */
export function prefixesToBlock(botIpsByPrefix: ReadonlyMap<string, ReadonlySet<string>>, minBotIps: number): string[] {
  return [...botIpsByPrefix]
    .filter(([prefix, ips]) => ips.size >= minBotIps && !isSpecialPurpose(prefix.slice(0, prefix.indexOf("/"))))
    .map(([prefix]) => prefix)
    .sort();
}

/** Groups bot IPs by client prefix (skipping what is not an address). */
export function groupByPrefix(ips: Iterable<string>): Map<string, Set<string>> {
  const groups = new Map<string, Set<string>>();
  for (const ip of ips) {
    const prefix = clientPrefix(ip);
    if (prefix === null) continue;
    const group = groups.get(prefix) ?? new Set<string>();
    group.add(ip);
    groups.set(prefix, group);
  }
  return groups;
}

/** The blocklist entry (KV key `cidrBlocklistKey(prefix)`) for a prefix with `botIps` bot IPs in `windowMs`. */
export function prefixBlockEntry(prefix: string, botIps: number, windowMs: number, at: number): BlocklistEntry {
  return {
    action: "block",
    reason: `${botIps} bot IPs in ${prefix} within ${Math.round(windowMs / 60_000)} min`,
    source: "escalation",
    at,
  };
}
