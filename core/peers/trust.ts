import { z } from "zod";

/** How far a peer is trusted: each level bounds what its entries may do here. */
export const TrustLevelSchema = z.enum(["low", "medium", "high"]);
export type TrustLevel = z.infer<typeof TrustLevelSchema>;

/** What entries from a peer of one trust level may do. */
export interface TrustLimits {
  /** Entries below this confidence (0..1) are refused. */
  readonly minConfidence: number;
  /** Most entries accepted from one sync, push or import. */
  readonly maxPerSync: number;
  /** Most unexpired entries one peer may hold here at once. */
  readonly maxActive: number;
  /** Longest TTL an entry gets, seconds, whatever expiry the peer asked for. */
  readonly maxTtlSeconds: number;
  /** Shortest prefix accepted per family: a wider network is `too_broad`. */
  readonly minBits: { readonly 4: number; readonly 6: number };
  /** Whether AS-number entries are accepted. */
  readonly allowAsn: boolean;
}

const DAY_S = 86_400;

/**
 * Limits per trust level. Low takes single addresses (and IPv6 /64s, one end site: RFC 6177) only. No level takes
 * AS numbers: nothing here maps an AS to its prefixes, so an AS entry cannot be checked against the allow-list
 * or the verified crawlers (a peer listing AS15169 would block Googlebot).
 */
export const TRUST_LIMITS: Readonly<Record<TrustLevel, TrustLimits>> = {
  low: { minConfidence: 0.95, maxPerSync: 100, maxActive: 1_000, maxTtlSeconds: DAY_S, minBits: { 4: 32, 6: 64 }, allowAsn: false },
  medium: { minConfidence: 0.9, maxPerSync: 250, maxActive: 5_000, maxTtlSeconds: 3 * DAY_S, minBits: { 4: 24, 6: 48 }, allowAsn: false },
  high: { minConfidence: 0.8, maxPerSync: 400, maxActive: 20_000, maxTtlSeconds: 7 * DAY_S, minBits: { 4: 16, 6: 32 }, allowAsn: false },
};
