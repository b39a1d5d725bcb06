import type { ClientIp } from "./client-ip";

/** The KV key of an IP's blocklist entry. */
export function blocklistKey(ip: ClientIp | string): string {
  return `ip:${ip}`;
}

/** The KV key of a network's blocklist entry, e.g. `cidr:203.0.113.0/24` (canonical text, as `parseCidr` writes it). */
export function cidrBlocklistKey(cidr: string): string {
  return `cidr:${cidr}`;
}

/** KV key of the policy the edge enforces: admin writes it, every edge isolate reads it. */
export const POLICY_KV_KEY = "policy:active";
