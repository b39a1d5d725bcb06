import { and, eq, gt, gte, inArray } from "drizzle-orm";
import { BlocklistStore, type EntryWrite } from "../../adapters/blocklist-store";
import type { Db } from "../../adapters/db/client";
import { decisions, prefixBlocks } from "../../adapters/db/schema";
import { siteKeys } from "../../core/kv-keys";
import { DEFAULT_SITE_ID } from "../../core/sites";
import { clientPrefix } from "../../core/cidr";
import { escalationBlock, ipToBlock, type EscalationVerdict, type ScoreSource } from "../../core/escalation-verdict";
import { namedFeatures } from "../../core/features";
import { groupByPrefix, prefixBlockEntry, prefixesToBlock } from "../../core/prefix-block";
import type { DecisionReport } from "../../core/report";
import type { NewBlock } from "./alert";
import type { EscalationConfig } from "./config";
import type { EscalationEnv } from "./env";
import { saveLlmAnswers, type LlmOutcome, type Queries } from "./llm-gate";

/** A report with everything escalation decided about it, ready to be stored. */
export interface Decided {
  readonly msg: Message;
  readonly report: DecisionReport;
  readonly features: number[];
  readonly score: number;
  readonly source: ScoreSource;
  /** The model version, when the model scored. */
  readonly version: string | null;
  readonly verdict: EscalationVerdict;
  readonly llm: LlmOutcome | null;
}

/** What one call stored: the reports that were new, the ones already recorded (redeliveries), and the new blocks. */
export interface Recorded {
  readonly inserted: ReadonlySet<string>;
  readonly blocks: NewBlock[];
}

const RECENTLY_BLOCKED_MAX = 10_000;
const RECENTLY_BLOCKED_MS = 5 * 60_000;

/**
 * IPs this isolate blocklisted lately, until when (ms), part of its escalation state: while the edge has not yet
 * seen the entry, its reports still look like a bot's, and rewriting the same KV key every batch would hit KV's
 * one-write-per-second-per-key limit. Bounded: the oldest is forgotten first.
 */
export class RecentBlocks {
  readonly #until = new Map<string, number>();

  /** Whether the entry `key` (a site's `ip:` key) was written here and is still fresh at `now`. */
  has(key: string, now: number): boolean {
    return (this.#until.get(key) ?? 0) > now;
  }

  remember(key: string, now: number): void {
    if (this.#until.size >= RECENTLY_BLOCKED_MAX) {
      const oldest = this.#until.keys().next();
      if (!oldest.done) this.#until.delete(oldest.value);
    }
    this.#until.set(key, now + RECENTLY_BLOCKED_MS);
  }
}

/**
 * Stores decisions and writes their blocklist entries in one transaction: if a KV write fails the rows roll back and
 * the retry starts afresh; rows that already exist (a redelivery) change nothing. Then checks the client prefixes of
 * new bots: enough distinct bot IPs in one /24 or /64 inside the window put the prefix on the blocklist too.
 */
export async function recordDecisions(
  db: Db,
  env: EscalationEnv,
  config: EscalationConfig,
  items: readonly Decided[],
  answers: ReadonlyMap<string, LlmOutcome>,
  recent: RecentBlocks,
  now: number,
): Promise<Recorded> {
  // One KV write per IP and site per batch, keyed by the entry's KV key: a block belongs to the site reported on.
  const chosen = new Map<string, { ip: string; item: Decided }>();
  for (const item of items) {
    const ip = ipToBlock(item.verdict, item.report);
    if (ip === null) continue;
    const key = siteKeys(siteOfReport(item.report)).ip(ip);
    if (!chosen.has(key) && !recent.has(key, now)) chosen.set(key, { ip, item });
  }
  const blockedItems = new Set([...chosen.values()].map((c) => c.item));
  const result = await db.transaction(async (tx) => {
    const rows = await tx
      .insert(decisions)
      .values(items.map((item) => decisionRow(item, blockedItems.has(item))))
      .onConflictDoNothing({ target: decisions.reportId })
      .returning({ reportId: decisions.reportId });
    const inserted = new Set(rows.map((r) => r.reportId));
    const blocks: NewBlock[] = [];
    const writes: EntryWrite[] = [];
    for (const [key, { ip, item }] of chosen) {
      if (!inserted.has(item.report.id)) continue;
      const llm =
        item.llm !== null && (item.llm.outcome === "answered" || item.llm.outcome === "cached") && item.llm.verdict === "bot"
          ? item.llm
          : null;
      const entry = escalationBlock({ score: item.score, source: item.source, version: item.version, llm: llm ?? undefined }, now);
      writes.push({ key, entry, ttlSeconds: config.blockTtlSeconds });
      blocks.push({ kind: "ip", target: ip, reason: entry.reason, ttlSeconds: config.blockTtlSeconds });
    }
    // All of the batch's entries in one store call: one RangeIndex note and one snapshot publish for the batch (a publish
    // waits out KV's one write a second per key, so an entry at a time held a batch of 15 blocks for 15 s).
    const written = writes.length === 0 ? [] : (await new BlocklistStore(env, "escalation").put(writes, now)).written;
    await saveLlmAnswers(tx, answers, now);
    const newBots = items.filter((item) => inserted.has(item.report.id) && item.verdict === "bot");
    // Prefixes per site: a network's bots on one site block it on that site.
    for (const site of new Set(newBots.map((item) => siteOfReport(item.report)))) {
      const bots = newBots.filter((item) => siteOfReport(item.report) === site);
      const newest = Math.max(...bots.map((item) => item.report.at));
      blocks.push(
        ...(await blockPrefixes(
          tx,
          env,
          config,
          site,
          bots.map((item) => item.report.ip),
          newest,
          now,
        )),
      );
    }
    return { inserted, blocks, written };
  });
  for (const key of result.written) recent.remember(key, now);
  return { inserted: result.inserted, blocks: result.blocks };
}

/** `newest`: the latest report time among the new bots; the window ends there (report time, not arrival time). */
async function blockPrefixes(
  db: Queries,
  env: EscalationEnv,
  config: EscalationConfig,
  site: string,
  botIps: readonly string[],
  newest: number,
  now: number,
): Promise<NewBlock[]> {
  const touched = [...groupByPrefix(botIps).keys()];
  if (touched.length === 0) return [];
  const since = new Date(newest - config.prefixWindowMs);
  const rows = await db
    .selectDistinct({ prefix: decisions.prefix, ip: decisions.ip })
    .from(decisions)
    .where(and(eq(decisions.site, site), inArray(decisions.prefix, touched), eq(decisions.verdict, "bot"), gte(decisions.at, since)));
  const byPrefix = new Map<string, Set<string>>();
  for (const row of rows) if (row.prefix !== null) byPrefix.set(row.prefix, (byPrefix.get(row.prefix) ?? new Set()).add(row.ip));
  const candidates = prefixesToBlock(byPrefix, config.prefixMinBotIps);
  if (candidates.length === 0) return [];
  const active = await db
    .select({ cidr: prefixBlocks.cidr })
    .from(prefixBlocks)
    .where(and(eq(prefixBlocks.site, site), inArray(prefixBlocks.cidr, candidates), gt(prefixBlocks.expiresAt, new Date(now))));
  const blocks: NewBlock[] = [];
  for (const cidr of candidates.filter((c) => !active.some((a) => a.cidr === c))) {
    const count = byPrefix.get(cidr)?.size ?? 0;
    const entry = prefixBlockEntry(cidr, count, config.prefixWindowMs, now);
    await new BlocklistStore(env, "escalation").put([{ key: siteKeys(site).cidr(cidr), entry, ttlSeconds: config.blockTtlSeconds }], now);
    await db.insert(prefixBlocks).values({
      cidr,
      site,
      at: new Date(now),
      botIps: count,
      reason: entry.reason,
      expiresAt: new Date(now + config.blockTtlSeconds * 1000),
    });
    console.log(JSON.stringify({ msg: "escalation_prefix_blocked", cidr, site, botIps: count }));
    blocks.push({ kind: "cidr", target: cidr, reason: entry.reason, ttlSeconds: config.blockTtlSeconds });
  }
  return blocks;
}

function decisionRow(item: Decided, blocked: boolean): typeof decisions.$inferInsert {
  const { report, score, source } = item;
  return {
    reportId: report.id,
    at: new Date(report.at),
    source: report.source,
    ip: report.ip,
    method: pgSafe(report.method),
    path: pgSafe(report.path),
    userAgent: pgSafe(report.userAgent),
    edgeAction: report.action,
    edgeScore: report.score,
    reasons: pgSafe(report.reasons),
    modelScore: source === "model" ? score : null,
    modelVersion: source === "model" ? item.version : null,
    score,
    verdict: item.verdict,
    blocked,
    features: namedFeatures(item.features),
    prefix: clientPrefix(report.ip),
    labelKind: report.label?.kind ?? null,
    labelValue: report.label?.value ?? null,
    llm: item.llm === null ? null : pgSafe(item.llm),
    report: pgSafe(report),
    site: siteOfReport(report),
  };
}

/** The site a report is about: its own, or the default site's for a report from before sites. */
function siteOfReport(report: DecisionReport): string {
  return report.site ?? DEFAULT_SITE_ID;
}

/** The value with every U+0000 replaced: Postgres text and jsonb reject it, and a client controls the User-Agent. */
export function pgSafe<T>(value: T): T {
  if (typeof value === "string") return value.replaceAll("\u0000", "\uFFFD") as T;
  if (Array.isArray(value)) return value.map(pgSafe) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [pgSafe(k), pgSafe(v)])) as T;
  }
  return value;
}
