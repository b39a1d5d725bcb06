import type { Reason } from "../verdict";
import type { WindowCounts } from "../sliding-window";
import { signal } from "./registry";

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
  /** HTML pages an unverified declared bot (crawler frameworks, unverified search crawlers, feed readers) may fetch in ten minutes. */
  readonly declaredBotPages: number;
  /** HTML pages a link-preview fetcher may fetch per minute from one address (one chat server previews many links). */
  readonly linkPreviewPagesPerMinute: number;
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
  declaredBotPages: 1,
  linkPreviewPagesPerMinute: 20,
};

/** What the client claims to be, as far as behaviour signals care. */
export interface ClientKind {
  /** lynx and friends: never load subresources and must not be flagged for it. */
  readonly textBrowser: boolean;
  /** A scripting tool's default User-Agent: a page or two is a person at a terminal; more is a crawl. */
  readonly scripted: boolean;
  /** A declared bot held to a page budget (neither verified nor AI, which the policy decides outright), or null. */
  readonly declaredBot?: DeclaredBotBudget | null;
  /** The current request is an HTML page (not a feed, an asset or robots.txt): only pages spend a budget. */
  readonly page?: boolean;
}

/** Which page budget a declared bot is held to. */
export type DeclaredBotBudget = "declared" | "link-preview";

/**
 * The page budget the User-Agent signals call for: link previews get their own, other declared bots the small one;
 * null for a verified crawler (ranges or Web Bot Auth), for an AI crawler (the policy tarpits it) and for everyone else.
 */
export function declaredBotBudget(signals: readonly Reason[]): DeclaredBotBudget | null {
  const codes = new Set(signals.map((s) => s.code));
  if (codes.has("verified-crawler") || codes.has("web-bot-auth") || codes.has("ua-ai-crawler")) return null;
  if (codes.has("ua-link-preview")) return "link-preview";
  return codes.has("ua-declared-bot") || codes.has("ua-feed-reader") ? "declared" : null;
}

/** Rate and behaviour signals. The current request is already counted, so thresholds compare with `>`. */
export function behaviourSignals(c: BehaviourCounts, kind: ClientKind, limits: BehaviourLimits = DEFAULT_BEHAVIOUR_LIMITS): Reason[] {
  const out: Reason[] = [];
  if (c.ip.m1 > limits.ipPerMinute * 2) out.push(signal("rate-ip-burst", `${c.ip.m1}/min`));
  else if (c.ip.m1 > limits.ipPerMinute) out.push(signal("rate-ip", `${c.ip.m1}/min`));
  if (c.ip.m10 > limits.ipPer10Minutes) out.push(signal("rate-ip-sustained", `${c.ip.m10}/10min`));
  if (c.prefix.m1 > limits.prefixPerMinute) out.push(signal("rate-prefix", `${c.prefix.m1}/min`));
  if (c.asn !== null && c.asn.m1 > limits.asnPerMinute) out.push(signal("rate-asn", `${c.asn.m1}/min`));
  if (c.fingerprint.m1 > limits.fingerprintPerMinute) out.push(signal("rate-fingerprint", `${c.fingerprint.m1}/min`));
  if (kind.scripted && c.ipPages.m10 > limits.scriptedPages) out.push(signal("crawl-scripted", `${c.ipPages.m10} pages`));
  if (!kind.textBrowser && c.ipPages.m10 >= limits.pagesWithoutAssets && c.ipAssets.m10 === 0) {
    out.push(signal("no-subresources", `${c.ipPages.m10} pages`));
  }
  if (kind.page === true && kind.declaredBot === "declared" && c.ipPages.m10 > limits.declaredBotPages) {
    out.push(signal("bot-over-budget", `${c.ipPages.m10} pages/10min`));
  }
  if (kind.page === true && kind.declaredBot === "link-preview" && c.ipPages.m1 > limits.linkPreviewPagesPerMinute) {
    out.push(signal("bot-over-budget", `${c.ipPages.m1} previews/min`));
  }
  if (c.ipTarpit.m10 > 0) out.push(signal("tarpit-visitor", `${c.ipTarpit.m10} hops`));
  return out;
}
