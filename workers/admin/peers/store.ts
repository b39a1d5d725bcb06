import { and, desc, eq, gt, gte, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../../../adapters/db/client";
import { decisions, peerEntries, peerSyncs, peers, prefixBlocks } from "../../../adapters/db/schema";
import type { BlockedIpRow, PrefixBlockRow } from "../../../core/peers/publish";

/** A peer as stored. */
export type PeerRow = typeof peers.$inferSelect;
/** One sync, push or import as recorded. */
export type PeerSyncRow = typeof peerSyncs.$inferSelect;
/** A sync record to write. */
export type NewPeerSync = Omit<typeof peerSyncs.$inferInsert, "id">;

/** All peers, by name. */
export function listPeers(db: Db): Promise<PeerRow[]> {
  return db.select().from(peers).orderBy(peers.name);
}

/** One peer by name, or null. */
export async function findPeer(db: Db, name: string): Promise<PeerRow | null> {
  const [row] = await db.select().from(peers).where(eq(peers.name, name));
  return row ?? null;
}

/** The enabled peer whose pinned key has this thumbprint (a push names it as `kid`), or null. */
export async function findPeerByKid(db: Db, kid: string): Promise<PeerRow | null> {
  const [row] = await db
    .select()
    .from(peers)
    .where(and(eq(peers.keyThumbprint, kid), eq(peers.enabled, true)));
  return row ?? null;
}

/** Unexpired keys this peer holds, with their expiry (epoch ms). */
export async function heldEntries(db: Db, peerId: number, now: number): Promise<Map<string, number>> {
  const rows = await db
    .select({ key: peerEntries.key, expiresAt: peerEntries.expiresAt })
    .from(peerEntries)
    .where(and(eq(peerEntries.peerId, peerId), gt(peerEntries.expiresAt, new Date(now))));
  return new Map(rows.map((r) => [r.key, r.expiresAt.getTime()]));
}

/** Records keys a peer wrote (or refreshed) in KV. */
export async function recordEntries(
  db: Db,
  peerId: number,
  rows: readonly { key: string; expiresAt: number }[],
  now: number,
): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    const values = rows.slice(i, i + 500).map((r) => ({ peerId, key: r.key, at: new Date(now), expiresAt: new Date(r.expiresAt) }));
    await db
      .insert(peerEntries)
      .values(values)
      .onConflictDoUpdate({
        target: [peerEntries.peerId, peerEntries.key],
        set: { at: sql`excluded.at`, expiresAt: sql`excluded.expires_at` },
      });
  }
}

/** Appends one sync record; drops records older than `pruneBefore` and expired entry rows on the way. */
export async function recordSync(db: Db, row: NewPeerSync, pruneBefore?: Date): Promise<void> {
  await db.insert(peerSyncs).values(row);
  if (pruneBefore !== undefined) {
    await db.delete(peerSyncs).where(lt(peerSyncs.at, pruneBefore));
    await db.delete(peerEntries).where(lt(peerEntries.expiresAt, row.at));
  }
}

/** What the dashboard shows per peer besides its settings. */
export interface PeerStats {
  readonly lastSync: PeerSyncRow | null;
  readonly totals: { received: number; applied: number; rejected: Record<string, number> };
  readonly activeEntries: number;
}

/** Latest sync, totals over the kept history, rejections by reason, and unexpired entries, per peer id. */
export async function peerStats(db: Db, now: number): Promise<Map<number, PeerStats>> {
  const latest = await db
    .selectDistinctOn([peerSyncs.peerId])
    .from(peerSyncs)
    .orderBy(peerSyncs.peerId, desc(peerSyncs.at), desc(peerSyncs.id));
  const totals = await db
    .select({
      peerId: peerSyncs.peerId,
      received: sql<number>`sum(${peerSyncs.received})`.mapWith(Number),
      applied: sql<number>`sum(${peerSyncs.applied})`.mapWith(Number),
    })
    .from(peerSyncs)
    .groupBy(peerSyncs.peerId);
  const reasons = await db.execute(
    sql`SELECT peer_id, r.key AS reason, sum(r.value::int)::int AS n FROM peer_syncs, jsonb_each_text(rejected) AS r GROUP BY 1, 2`,
  );
  const active = await db
    .select({ peerId: peerEntries.peerId, n: sql<number>`count(*)`.mapWith(Number) })
    .from(peerEntries)
    .where(gt(peerEntries.expiresAt, new Date(now)))
    .groupBy(peerEntries.peerId);
  const stats = new Map<number, PeerStats>();
  const get = (id: number) => {
    let s = stats.get(id);
    if (s === undefined) stats.set(id, (s = { lastSync: null, totals: { received: 0, applied: 0, rejected: {} }, activeEntries: 0 }));
    return s;
  };
  for (const row of latest) stats.set(row.peerId, { ...get(row.peerId), lastSync: row });
  for (const row of totals)
    stats.set(row.peerId, { ...get(row.peerId), totals: { ...get(row.peerId).totals, received: row.received, applied: row.applied } });
  for (const row of reasons.rows as { peer_id: number; reason: string; n: number }[])
    get(Number(row.peer_id)).totals.rejected[row.reason] = Number(row.n);
  for (const row of active) stats.set(row.peerId, { ...get(row.peerId), activeEntries: row.n });
  return stats;
}

/** What our feed is built from. */
export interface PublishQuery {
  readonly minConfidence: number;
  /** Blocks older than this (epoch ms) are no longer published. */
  readonly since: number;
  readonly now: number;
  readonly republish: boolean;
  readonly max: number;
}

/**
 * Escalation's blocked bots since `since` with confidence ≥ the minimum, and its unexpired prefix blocks. Left out
 * unless `republish`: IPs a peer gave us, and decisions the edge made because the IP was already listed.
 */
export async function publishableRows(db: Db, q: PublishQuery): Promise<{ ips: BlockedIpRow[]; prefixes: PrefixBlockRow[] }> {
  const confidence = sql`coalesce(${decisions.score}, ${decisions.modelScore})`;
  const fromPeer = sql`EXISTS (SELECT 1 FROM peer_entries pe WHERE pe.key = 'ip:' || ${decisions.ip} AND pe.expires_at > ${new Date(q.now)})`;
  const ips = await db
    .select({
      ip: decisions.ip,
      confidence: sql<number>`max(${confidence})`.mapWith(Number),
      firstSeen: sql<Date>`min(${decisions.at})`.mapWith(decisions.at),
      lastSeen: sql<Date>`max(${decisions.at})`.mapWith(decisions.at),
    })
    .from(decisions)
    .where(
      and(
        eq(decisions.blocked, true),
        eq(decisions.verdict, "bot"),
        gte(decisions.at, new Date(q.since)),
        gte(confidence, q.minConfidence),
        sql`NOT (${decisions.reasons} @> '[{"code":"blocklist-ip"}]'::jsonb)`,
        q.republish ? sql`true` : sql`NOT ${fromPeer}`,
      ),
    )
    .groupBy(decisions.ip)
    .orderBy(desc(sql`max(${decisions.at})`))
    .limit(q.max);
  const prefixes = await db
    .select({ cidr: prefixBlocks.cidr, at: prefixBlocks.at, expiresAt: prefixBlocks.expiresAt, botIps: prefixBlocks.botIps })
    .from(prefixBlocks)
    .where(gt(prefixBlocks.expiresAt, new Date(q.now)))
    .orderBy(desc(prefixBlocks.at))
    .limit(q.max);
  return {
    ips: ips.map((r) => ({ ip: r.ip, confidence: r.confidence, firstSeen: r.firstSeen.getTime(), lastSeen: r.lastSeen.getTime() })),
    prefixes: prefixes.map((r) => ({ cidr: r.cidr, at: r.at.getTime(), expiresAt: r.expiresAt.getTime(), botIps: r.botIps })),
  };
}

/** The KV keys a peer holds (for purging them), at most `max`. */
export async function entryKeysOf(db: Db, peerId: number, max: number): Promise<string[]> {
  const rows = await db.select({ key: peerEntries.key }).from(peerEntries).where(eq(peerEntries.peerId, peerId)).limit(max);
  return rows.map((r) => r.key);
}

/** Forgets entry rows (after their KV keys were purged). */
export async function forgetEntries(db: Db, peerId: number, keys: readonly string[]): Promise<void> {
  if (keys.length > 0) await db.delete(peerEntries).where(and(eq(peerEntries.peerId, peerId), inArray(peerEntries.key, [...keys])));
}
