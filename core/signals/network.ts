import type { CfFacts } from "../report";
import type { Reason } from "../verdict";
import { signal } from "./registry";

/**
 * Hosting and cloud networks: people rarely browse from them, crawlers often do. The one list edge signals and
 * escalation's model features share: AWS, Google, Microsoft, DigitalOcean, OVH, Hetzner, Linode/Akamai, Vultr,
 * Alibaba, Tencent, Oracle, Contabo, Scaleway, Leaseweb, M247, Datacamp, Huawei Cloud, IONOS. Cloudflare's own
 * AS13335 is left out on purpose: it is also the address of every WARP (1.1.1.1 app) user. Operators extend it
 * through policy rules on `asn`.
 */
export const DATACENTER_ASNS: ReadonlySet<number> = new Set([
  16509, 14618, 8987, 15169, 396982, 19527, 8075, 8068, 14061, 16276, 24940, 63949, 20473, 45102, 37963, 132203, 31898, 51167, 12876, 60781,
  28753, 9009, 60068, 136907, 55990, 8560,
]);

/** Signals from `request.cf`: hosting networks, Tor, outdated TLS. */
export function networkSignals(cf: CfFacts): Reason[] {
  const out: Reason[] = [];
  if (cf.asn !== undefined && DATACENTER_ASNS.has(cf.asn)) out.push(signal("asn-datacenter", `AS${cf.asn}`));
  if (cf.country === "T1") out.push(signal("tor"));
  return out;
}
