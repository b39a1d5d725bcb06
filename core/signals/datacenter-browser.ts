import type { CfFacts } from "../report";
import type { Reason } from "../verdict";
import { DATACENTER_ASNS } from "./network";
import { browserClaim } from "./user-agent";
import { signal } from "./registry";

/**
 * A browser User-Agent from a hosting network. People rarely browse from a cloud server; headless browsers and
 * HTTP clients in browser clothes run there. With `asn-datacenter` it reaches the moderate and aggressive presets' challenge band, so
 * such a client meets the challenge once (a person on a VPN passes it; automation shows itself there).
 */
export function datacenterBrowserSignals(cf: CfFacts, userAgent: string): Reason[] {
  if (cf.asn === undefined || !DATACENTER_ASNS.has(cf.asn)) return [];
  const claim = browserClaim(userAgent);
  return claim.engine === "other" ? [] : [signal("browser-from-datacenter", `AS${cf.asn}`)];
}
