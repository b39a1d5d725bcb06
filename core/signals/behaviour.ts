import type { Reason } from "../verdict";
import type { WindowCounts } from "../sliding-window";

/** What the counters say about the client and the groups it belongs to. */
export interface BehaviourCounts {
  readonly ip: WindowCounts;
  readonly ipPages: WindowCounts;
  readonly ipAssets: WindowCounts;
  readonly ipTarpit: WindowCounts;
  readonly prefix: WindowCounts;
  readonly asn: WindowCounts | null;
  readonly fingerprint: WindowCounts;
}

/** Rate limits behind the behaviour signals, per window. */
export interface BehaviourLimits {
  readonly ipPerMinute: number;
  readonly ipPer10Minutes: number;
  readonly prefixPerMinute: number;
  readonly asnPerMinute: number;
  readonly fingerprintPerMinute: number;
  /** HTML pages fetched with no subresource at all before a client counts as "never loads subresources". */
  readonly pagesWithoutAssets: number;
  /** HTML pages a scripting tool (curl, wget, python-requests…) may fetch in ten minutes before it counts as crawling. */
  readonly scriptedPages: number;
}

export const DEFAULT_BEHAVIOUR_LIMITS: BehaviourLimits = {
  ipPerMinute: 60,
  ipPer10Minutes: 400,
  prefixPerMinute: 240,
  asnPerMinute: 2_000,
  // Popular browsers share a fingerprint, so only a flood counts (tune per site).
  fingerprintPerMinute: 3_000,
  pagesWithoutAssets: 8,
  scriptedPages: 5,
};

/** What the client claims to be, as far as behaviour signals care. */
export interface ClientKind {
  /** lynx and friends: never load subresources and must not be flagged for it. */
  readonly textBrowser: boolean;
  /** A scripting tool's default User-Agent: a page or two is a person at a terminal; more is a crawl. */
  readonly scripted: boolean;
}

/** Rate and behaviour signals. The current request is already counted, so thresholds compare with `>`. */
export function behaviourSignals(c: BehaviourCounts, kind: ClientKind, limits: BehaviourLimits = DEFAULT_BEHAVIOUR_LIMITS): Reason[] {
  const out: Reason[] = [];
  if (c.ip.m1 > limits.ipPerMinute * 2) out.push({ code: "rate-ip-burst", weight: 80, detail: `${c.ip.m1}/min` });
  else if (c.ip.m1 > limits.ipPerMinute) out.push({ code: "rate-ip", weight: 40, detail: `${c.ip.m1}/min` });
  if (c.ip.m10 > limits.ipPer10Minutes) out.push({ code: "rate-ip-sustained", weight: 40, detail: `${c.ip.m10}/10min` });
  if (c.prefix.m1 > limits.prefixPerMinute) out.push({ code: "rate-prefix", weight: 25, detail: `${c.prefix.m1}/min` });
  if (c.asn !== null && c.asn.m1 > limits.asnPerMinute) out.push({ code: "rate-asn", weight: 10, detail: `${c.asn.m1}/min` });
  if (c.fingerprint.m1 > limits.fingerprintPerMinute) out.push({ code: "rate-fingerprint", weight: 15, detail: `${c.fingerprint.m1}/min` });
  if (kind.scripted && c.ipPages.m10 > limits.scriptedPages) out.push({ code: "crawl-scripted", weight: 40, detail: `${c.ipPages.m10} pages` });
  if (!kind.textBrowser && c.ipPages.m10 >= limits.pagesWithoutAssets && c.ipAssets.m10 === 0) {
    out.push({ code: "no-subresources", weight: 35, detail: `${c.ipPages.m10} pages` });
  }
  if (c.ipTarpit.m10 > 0) out.push({ code: "tarpit-visitor", weight: 30, detail: `${c.ipTarpit.m10} hops` });
  return out;
}
