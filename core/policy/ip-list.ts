import type { ClientIp } from "../client-ip";
import { CidrSet } from "../cidr-set";
import { fail, ok, type Result } from "../result";

/**
 * Compiles a policy's list of IPs and CIDRs (v4 and v6; host bits below the prefix are masked) into a
 * membership test over one CidrSet, built once with the policy.
 */
export function compileIpList(entries: readonly string[]): Result<(ip: ClientIp) => boolean, string> {
  const set = CidrSet.parse(
    entries.map((entry) => [entry, true] as const),
    "mask",
  );
  if (!set.ok) return fail(set.error);
  const cidrs = set.value;
  return ok((ip) => cidrs.has(ip));
}
