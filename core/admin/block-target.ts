import { parseKvKey, siteKeys } from "../kv-keys";
import { DEFAULT_SITE_ID } from "../sites";
import { parseIp, type ClientIp } from "../client-ip";
import { parseCidr, type Cidr } from "../cidr";
import { fail, ok, type Result } from "../result";

/** What a blocklist or allow-list entry covers: one address, one network, or (blocklist only) one autonomous system. */
export type BlockTarget =
  | { readonly kind: "ip"; readonly ip: ClientIp; readonly cidr: Cidr }
  | { readonly kind: "cidr"; readonly cidr: Cidr }
  | { readonly kind: "asn"; readonly asn: number };

export type TargetKind = BlockTarget["kind"];

/** AS numbers no network announces publicly (RFC 6996 private use, RFC 7300 last ASNs, RFC 6793 AS_TRANS, RFC 5398 documentation). */
const RESERVED_ASNS: readonly (readonly [number, number])[] = [
  [0, 0],
  [23456, 23456],
  [64496, 65551],
  [4200000000, 4294967295],
];

/**
 * Parses an operator's text into a target: `203.0.113.7`, `2001:db8::/32`, `AS64500` or `64500` (asn). A CIDR
 * of one address (/32, /128) becomes an `ip` target, so the edge's exact-IP lookup finds it.
 */
export function parseTarget(text: string, kind?: TargetKind): Result<BlockTarget, string> {
  const value = text.trim();
  if (kind === "asn" || (kind === undefined && /^as\d+$/i.test(value))) {
    const digits = value.replace(/^as/i, "");
    const asn = Number(digits);
    if (!/^\d{1,10}$/.test(digits) || asn > 4294967295) return fail(`"${value}" is not an AS number`);
    if (RESERVED_ASNS.some(([lo, hi]) => asn >= lo && asn <= hi)) return fail(`AS${asn} is reserved (private use or documentation)`);
    return ok({ kind: "asn", asn });
  }
  const cidr = parseCidr(value);
  if (!cidr.ok) return fail(cidr.error);
  const full = cidr.value.bits === (cidr.value.family === 4 ? 32 : 128);
  if (kind === "ip" && !full) return fail(`"${value}" is a network, not one address`);
  if (full) {
    const ip = parseIp(cidr.value.text.slice(0, cidr.value.text.indexOf("/")));
    if (ip === null) return fail(`"${value}" is not an IP address`); // unreachable: parseCidr accepted it
    return ok({ kind: "ip", ip, cidr: cidr.value });
  }
  return ok({ kind: "cidr", cidr: cidr.value });
}

/** The canonical text of a target: the address, the CIDR, or `AS<n>`. */
export function targetText(target: BlockTarget): string {
  if (target.kind === "asn") return `AS${target.asn}`;
  return target.kind === "ip" ? target.ip : target.cidr.text;
}

/**
 * The key of a target's blocklist entry on a site: `ip:<addr>`, `cidr:<net>/<bits>` or `asn:<n>`, with the site's
 * prefix. `shared` (the entry applies to every site): an address becomes a one-address network, since only range
 * entries (the RangeIndex snapshot every isolate loads) can be shared.
 */
export function blocklistKeyOf(target: BlockTarget, site: string = DEFAULT_SITE_ID, shared = false): string {
  const keys = siteKeys(site);
  if (target.kind === "asn") return keys.asn(target.asn);
  return target.kind === "ip" && !shared ? keys.ip(target.ip) : keys.cidr(target.cidr.text);
}

/** The target a blocklist key names; null for keys that are not blocklist entries (`policy:active`, `allow:…`). */
export function targetOfBlocklistKey(key: string): BlockTarget | null {
  const split = parseKvKey(key);
  if (split === null) return null;
  const { kind: prefix, rest } = split;
  // Listing shows what is there, reserved AS numbers included: only the write path refuses them.
  if (prefix === "asn") return /^\d{1,10}$/.test(rest) ? { kind: "asn", asn: Number(rest) } : null;
  if (prefix !== "ip" && prefix !== "cidr") return null;
  const parsed = parseTarget(rest);
  return parsed.ok && parsed.value.kind !== "asn" ? parsed.value : null;
}
