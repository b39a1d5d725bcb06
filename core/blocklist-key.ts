import type { ClientIp } from "./client-ip";

/** The KV key of an IP's blocklist entry. */
export function blocklistKey(ip: ClientIp | string): string {
  return `ip:${ip}`;
}
