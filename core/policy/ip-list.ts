import { parseIp, type ClientIp } from "../client-ip";
import { fail, ok, type Result } from "../result";

/** An address as 16-bit groups: 2 for IPv4, 8 for IPv6. */
function groups(ip: ClientIp): number[] {
  if (!ip.includes(".")) return ip.split(":").map((g) => parseInt(g, 16));
  const [a = 0, b = 0, c = 0, d = 0] = ip.split(".").map(Number);
  return [(a << 8) | b, (c << 8) | d];
}

function startsWith(address: readonly number[], network: readonly number[], bits: number): boolean {
  if (address.length !== network.length) return false;
  for (let i = 0; bits > 0; i++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if (((address[i] ?? 0) & mask) !== ((network[i] ?? 0) & mask)) return false;
  }
  return true;
}

/**
 * Compiles a policy's list of IPs and CIDRs into a membership test. For the short lists a policy holds;
 * the large blocklists use their own index.
 */
export function compileIpList(entries: readonly string[]): Result<(ip: ClientIp) => boolean, string> {
  const networks: Array<{ readonly groups: number[]; readonly bits: number }> = [];
  for (const entry of entries) {
    const [address = "", length] = entry.split("/");
    const ip = parseIp(address);
    if (ip === null) return fail(`"${entry}" is not an IP address or CIDR`);
    const max = ip.includes(".") ? 32 : 128;
    const bits = length === undefined ? max : Number(length);
    if (!/^\d{1,3}$/.test(length ?? String(max)) || bits > max) return fail(`"${entry}" has a prefix length outside 0-${max}`);
    networks.push({ groups: groups(ip), bits });
  }
  return ok((ip) => {
    const address = groups(ip);
    return networks.some((n) => startsWith(address, n.groups, n.bits));
  });
}
