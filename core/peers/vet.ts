import { blocklistKeyOf, parseTarget, targetText, type BlockTarget } from "../admin/block-target";
import { cidrsOverlap, type SafetyContext } from "../admin/safety";
import { FeedEntrySchema, type FeedEntry } from "./feed";
import type { TrustLimits } from "./trust";

/** Why an entry from a peer or a list was not applied. Stable codes: the dashboard counts them. */
export const REJECT_REASONS = [
  "malformed",
  "private_range",
  "too_broad",
  "covers_allowlisted",
  "covers_verified_crawler",
  "low_confidence",
  "expired",
  "duplicate",
  "over_cap",
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** KV refuses an `expirationTtl` under 60 s: an entry with less left is as good as expired. */
export const MIN_ENTRY_TTL_S = 60;

/** An entry that passed every check: what to write, under which key, for how long. */
export interface VettedEntry {
  readonly entry: FeedEntry;
  readonly target: BlockTarget;
  /** The blocklist KV key, e.g. `ip:203.0.113.7`. */
  readonly key: string;
  /** Seconds to keep it: the peer's expiry, capped by the trust level. */
  readonly ttlSeconds: number;
  /** Position in the input, for reports. */
  readonly index: number;
}

/** An entry refused, with its position in the input, its value as sent (truncated) and why. */
export interface Rejection {
  /** Position in the input; -1 for a list line that never became an entry. */
  readonly index: number;
  /** 1-based line of a plain list, when the entry came from one. */
  readonly line?: number;
  readonly value: string;
  readonly reason: RejectReason;
  readonly detail: string;
}

/** What the caller knows that bounds this batch. */
export interface VetOptions {
  readonly limits: TrustLimits;
  /** Reserved ranges, allow-list and verified crawlers (core/admin/safety.ts: the same checks as an operator's block). */
  readonly safety: SafetyContext;
  /** Epoch ms. */
  readonly now: number;
  /** Most entries to accept from this batch (per-sync cap, lowered by the run's KV budget). */
  readonly maxAccepted: number;
  /** Most accepted entries whose key the peer does not already hold (what is left of its per-peer cap). */
  readonly maxNew: number;
  /** Keys this peer already holds unexpired: refreshing one does not count against `maxNew`. */
  readonly held: (key: string) => boolean;
}

type Check =
  { readonly ok: true; readonly vetted: VettedEntry } | { readonly ok: false; readonly reason: RejectReason; readonly detail: string };

const no = (reason: RejectReason, detail: string): Check => ({ ok: false, reason, detail });

function valueOf(raw: unknown): string {
  const value = typeof raw === "object" && raw !== null && "value" in raw ? (raw as { value: unknown }).value : raw;
  return String(typeof value === "string" ? value : (JSON.stringify(value) ?? "")).slice(0, 64);
}

function checkOne(raw: unknown, index: number, options: VetOptions): Check {
  const parsed = FeedEntrySchema.safeParse(raw);
  if (!parsed.success) return no("malformed", parsed.error.issues.map((i) => `${i.path.join(".") || "entry"}: ${i.message}`).join("; "));
  const entry = parsed.data;
  const target = parseTarget(entry.value, entry.scope);
  // parseTarget refuses reserved AS numbers (private use, documentation) with an error saying "reserved".
  if (!target.ok) return no(/reserved/.test(target.error) ? "private_range" : "malformed", target.error);
  const t = target.value;
  const { safety, limits } = options;
  if (t.kind === "asn") {
    if (!limits.allowAsn) return no("too_broad", `AS entries are not accepted at this trust level`);
  } else {
    const reserved = safety.reserved.find((r) => cidrsOverlap(r, t.cidr));
    if (reserved !== undefined) return no("private_range", `${t.cidr.text} overlaps the reserved range ${reserved.text}`);
    const min = limits.minBits[t.cidr.family];
    if (t.cidr.bits < min) return no("too_broad", `${t.cidr.text} is wider than /${min}`);
    const allowed = safety.allowed.find((a) => cidrsOverlap(a, t.cidr));
    if (allowed !== undefined) return no("covers_allowlisted", `${t.cidr.text} overlaps the allow-listed ${allowed.text}`);
    const crawler =
      t.kind === "ip" ? safety.crawlers.match(t.ip)?.value : safety.crawlerList.find((c) => cidrsOverlap(c.cidr, t.cidr))?.crawler;
    if (crawler !== undefined) return no("covers_verified_crawler", `${t.cidr.text} overlaps ranges of the verified crawler ${crawler}`);
  }
  if (entry.confidence < limits.minConfidence) return no("low_confidence", `confidence ${entry.confidence} < ${limits.minConfidence}`);
  const leftS = Math.floor((entry.expiresAt - options.now) / 1000);
  if (leftS < MIN_ENTRY_TTL_S) return no("expired", `expired at ${new Date(entry.expiresAt).toISOString()}`);
  const ttlSeconds = Math.min(leftS, limits.maxTtlSeconds);
  return { ok: true, vetted: { entry, target: t, key: blocklistKeyOf(t), ttlSeconds, index } };
}

/**
 * Checks a peer's (or a list's) entries before any is applied: well-formed, not a reserved or too-broad range,
 * not covering an allow-listed address or a verified crawler, confident enough, not expired, within the caps.
 * The most confident entries are taken first when a cap bites. Pure: the caller gathers the context.
 */
export function vetEntries(entries: readonly unknown[], options: VetOptions): { accepted: VettedEntry[]; rejected: Rejection[] } {
  const rejected: Rejection[] = [];
  const candidates: VettedEntry[] = [];
  entries.forEach((raw, index) => {
    const check = checkOne(raw, index, options);
    if (check.ok) candidates.push(check.vetted);
    else rejected.push({ index, value: valueOf(raw), reason: check.reason, detail: check.detail });
  });
  const byKey = new Map<string, VettedEntry>();
  for (const c of candidates) {
    const seen = byKey.get(c.key);
    if (seen === undefined || c.entry.confidence > seen.entry.confidence) byKey.set(c.key, c);
  }
  for (const c of candidates) {
    if (byKey.get(c.key) !== c)
      rejected.push({ index: c.index, value: targetText(c.target), reason: "duplicate", detail: `${c.key} appears more than once` });
  }
  const ranked = [...byKey.values()].sort(
    (a, b) => b.entry.confidence - a.entry.confidence || b.entry.lastSeen - a.entry.lastSeen || a.index - b.index,
  );
  const accepted: VettedEntry[] = [];
  let fresh = 0;
  for (const c of ranked) {
    const isNew = !options.held(c.key);
    if (accepted.length >= options.maxAccepted || (isNew && fresh >= options.maxNew)) {
      const cap =
        accepted.length >= options.maxAccepted ? `${options.maxAccepted} per sync` : `${options.maxNew} more entries for this peer`;
      rejected.push({ index: c.index, value: targetText(c.target), reason: "over_cap", detail: `over the cap of ${cap}` });
      continue;
    }
    if (isNew) fresh++;
    accepted.push(c);
  }
  accepted.sort((a, b) => a.index - b.index);
  rejected.sort((a, b) => a.index - b.index);
  return { accepted, rejected };
}

/** Rejections counted by reason, for the dashboard and the sync log. */
export function countRejections(rejected: readonly Rejection[]): Partial<Record<RejectReason, number>> {
  const counts: Partial<Record<RejectReason, number>> = {};
  for (const r of rejected) counts[r.reason] = (counts[r.reason] ?? 0) + 1;
  return counts;
}
