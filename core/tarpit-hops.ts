import type { BlocklistEntry } from "./blocklist-entry";
import { siteKeys } from "./kv-keys";
import { DEFAULT_SITE_ID } from "./sites";
import { clientPrefix } from "./cidr";
import { isSpecialPurpose } from "./prefix-block";
import type { DecisionReport } from "./report";
import { FACT_HEADERS } from "./request-facts";
import type { HopPolicy } from "./tarpit-config";

/** What the hop counter knows about a client after counting one more hop. */
export interface HopCount {
  /** Hops inside the policy's window, this one included. */
  readonly inWindow: number;
  /** Hops in the last minute and the last ten minutes, for the report's counts. */
  readonly m1: number;
  readonly m10: number;
  /** True exactly once per crossing: this hop went past the limit and the client is not already blocked. */
  readonly block: boolean;
}

/** One KV write that puts a client on the blocklist. */
export interface BlockWrite {
  readonly key: string;
  readonly entry: BlocklistEntry;
  readonly ttlSeconds: number;
}

/** The code of the reason a hop-out report carries. */
export const HOP_OUT_REASON = "tarpit-hop-limit";

/** True when a client with `inWindow` hops must be blocked now: past the limit, and no block of ours still running. */
export function isHopOut(inWindow: number, blockedUntil: number, now: number, policy: HopPolicy): boolean {
  return inWindow > policy.limit && now >= blockedUntil;
}

/**
 * The blocklist entries for a client that hopped out: its IP and, when the policy says "prefix", its /24 or /64,
 * unless that is special-purpose space (private, documentation…: a prefix there is a NAT or a proxy, not one bot).
 */
export function hopOutBlocks(
  ip: string,
  hops: number,
  policy: HopPolicy,
  edgeScore: number | null,
  now: number,
  site: string = DEFAULT_SITE_ID,
): BlockWrite[] {
  const keys = siteKeys(site);
  const reason = `${HOP_OUT_REASON}: ${hops} tarpit hops in ${Math.round(policy.windowMs / 1000)} s (limit ${policy.limit})`;
  const entry: BlocklistEntry = { action: "block", reason, source: "tarpit", at: now, ...(edgeScore === null ? {} : { score: edgeScore }) };
  const writes: BlockWrite[] = [{ key: keys.ip(ip), entry, ttlSeconds: policy.blockTtlSeconds }];
  const prefix = policy.blockPrefix === "prefix" && !isSpecialPurpose(ip) ? clientPrefix(ip) : null;
  if (prefix !== null)
    writes.push({ key: keys.cidr(prefix), entry: { ...entry, reason: `${reason}, from ${ip}` }, ttlSeconds: policy.blockTtlSeconds });
  return writes;
}

/** The request a hop-out happened on, as the tarpit saw it. */
export interface HopOutRequest {
  readonly id: string;
  readonly at: number;
  readonly ip: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly edgeScore: number | null;
  /** The site the request was for; absent: the default site. */
  readonly site?: string;
}

/**
 * The name of a client's HopCounter on a site: the address alone on the default site (the objects of a single-site
 * deployment keep counting), `site:<id>:<ip>` on another, so hops on one site never count towards another's limit.
 */
export function hopCounterName(ip: string, site: string = DEFAULT_SITE_ID): string {
  return siteKeys(site).counter(ip);
}

/** The report escalation gets when a client hops out: a block, labelled as a bot by what it did, not by a model. */
export function hopOutReport(request: HopOutRequest, count: HopCount, policy: HopPolicy): DecisionReport {
  const headers: Record<string, string> = {};
  for (const name of FACT_HEADERS) {
    const value = request.headers[name];
    if (value !== undefined) headers[name] = value.slice(0, 1024);
  }
  return {
    v: 1,
    id: request.id,
    at: request.at,
    source: "tarpit",
    ip: request.ip,
    ...(request.site === undefined || request.site === DEFAULT_SITE_ID ? {} : { site: request.site }),
    method: request.method.slice(0, 16),
    path: request.path.slice(0, 2048),
    userAgent: (request.headers["user-agent"] ?? "").slice(0, 1024),
    headers,
    cf: {},
    action: "block",
    score: request.edgeScore ?? 0,
    reasons: [
      {
        code: HOP_OUT_REASON,
        weight: 100,
        detail: `${count.inWindow} hops in ${Math.round(policy.windowMs / 1000)} s, limit ${policy.limit}`,
      },
    ],
    counts: { hits1m: count.m1, hits10m: count.m10, tarpitHits: count.m10 },
    label: { kind: "tarpit-hop-out", value: "bot" },
  };
}
