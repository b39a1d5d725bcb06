import { PEER_FEED_VERSION, type FeedEntry, type PeerFeed } from "./feed";

/** One blocked bot IP as escalation's decisions summarise it (times epoch ms, confidence 0..1). */
export interface BlockedIpRow {
  readonly ip: string;
  readonly confidence: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
}

/** One active prefix block escalation made (times epoch ms). */
export interface PrefixBlockRow {
  readonly cidr: string;
  readonly at: number;
  readonly expiresAt: number;
  readonly botIps: number;
}

/**
 * Confidence published for a prefix block: escalation blocks a prefix only after several distinct IPs in it were
 * scored bots (core/prefix-block.ts), so each extra bot IP halves the chance the prefix is innocent.
 */
export function prefixConfidence(botIps: number): number {
  return Math.min(0.99, 1 - 0.5 ** Math.max(1, botIps));
}

/** The feed entries for our blocked IPs and prefixes, newest first; an IP stays published for `ttlSeconds` after its last block. */
export function publishableEntries(
  ips: readonly BlockedIpRow[],
  prefixes: readonly PrefixBlockRow[],
  ttlSeconds: number,
  max: number,
): FeedEntry[] {
  const ipEntries = ips.map((r): FeedEntry => ({
    scope: "ip",
    value: r.ip,
    reason: "escalation: bot",
    confidence: round(r.confidence),
    firstSeen: r.firstSeen,
    lastSeen: r.lastSeen,
    expiresAt: r.lastSeen + ttlSeconds * 1000,
  }));
  const prefixEntries = prefixes.map((r): FeedEntry => ({
    scope: "cidr",
    value: r.cidr,
    reason: `escalation: ${r.botIps} bot IPs in prefix`,
    confidence: round(prefixConfidence(r.botIps)),
    firstSeen: r.at,
    lastSeen: r.at,
    expiresAt: r.expiresAt,
  }));
  return [...ipEntries, ...prefixEntries].sort((a, b) => b.lastSeen - a.lastSeen).slice(0, max);
}

/** The payload of our feed. */
export function buildFeed(issuer: string, issuedAt: number, entries: readonly FeedEntry[]): PeerFeed {
  return { version: PEER_FEED_VERSION, issuer, issuedAt, entries: [...entries] };
}

function round(n: number): number {
  return Math.round(Math.min(1, Math.max(0, n)) * 1000) / 1000;
}
