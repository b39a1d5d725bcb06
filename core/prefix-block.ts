import type { BlocklistEntry } from "./blocklist-entry";
import { cidrContains, clientPrefix, parseCidr, type Cidr } from "./cidr";

/** Distinct bot IPs of one client prefix (/24 or /64), inside PREFIX_WINDOW_MS, that put the whole prefix on the blocklist. */
export const DEFAULT_PREFIX_MIN_BOT_IPS = 5;
/** How far back bot verdicts count toward a prefix block, ms. */
export const DEFAULT_PREFIX_WINDOW_MS = 10 * 60_000;

/**
 * Special-purpose ranges never blocked as a prefix: private, shared, loopback, link-local, documentation,
 * benchmarking, multicast and reserved space. IANA's registries (RFC 6890 and updates):
 * https://www.iana.org/assignments/iana-ipv4-special-registry and …/iana-ipv6-special-registry.
 * A "prefix" there is usually a proxy, a NAT or a misconfigured client IP header, not one bot operator.
 */
const SPECIAL_RANGES: readonly Cidr[] = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.0.2.0/24",
  "192.88.99.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "224.0.0.0/4",
  "240.0.0.0/4",
  "::/127",
  "::ffff:0:0/96",
  "64:ff9b::/96",
  "64:ff9b:1::/48",
  "100::/64",
  "2001::/23",
  "2001:db8::/32",
  "2002::/16",
  "3fff::/20",
  "fc00::/7",
  "fe80::/10",
  "ff00::/8",
].map((text) => {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(parsed.error); // a typo in the list above: a bug, found by the first test
  return parsed.value;
});

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
