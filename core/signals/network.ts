import type { CfFacts } from "../report";
import type { Reason } from "../verdict";

/**
 * Hosting and cloud networks: people rarely browse from them, crawlers often do. A short, well-known list
 * (AWS, Google Cloud, Azure, DigitalOcean, Hetzner, OVH, Linode/Akamai, Vultr, Oracle, Alibaba, Tencent,
 * Huawei Cloud, Contabo, Scaleway, Leaseweb); operators extend it through policy rules on `asn`.
 */
export const DATACENTER_ASNS: ReadonlySet<number> = new Set([
  16509, 14618, 8987, 396982, 15169, 8075, 14061, 24940, 16276, 63949, 20473, 31898, 45102, 132203, 136907, 55990, 51167, 12876, 60781, 28753,
]);

/** Signals from `request.cf`: hosting networks, Tor, outdated TLS. */
export function networkSignals(cf: CfFacts): Reason[] {
  const out: Reason[] = [];
  if (cf.asn !== undefined && DATACENTER_ASNS.has(cf.asn)) out.push({ code: "asn-datacenter", weight: 15, detail: `AS${cf.asn}` });
  if (cf.country === "T1") out.push({ code: "tor", weight: 20 });
  return out;
}
