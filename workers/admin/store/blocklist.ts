import { parseBlocklistEntry, type BlocklistEntry } from "../../../core/blocklist-entry";
import { blocklistKeyOf, targetOfBlocklistKey, targetText, type BlockTarget, type TargetKind } from "../../../core/admin/block-target";
import type { AdminEnv } from "../env";
import { auditMany, type AuditRecord } from "./audit";
import { db } from "./db";
import { BlocklistStore } from "../../../adapters/blocklist-store";
import { kv, listItems, parseJson, type KvItem } from "./kv";

/** A blocklist entry as the API shows it. */
export interface BlocklistView {
  kind: TargetKind;
  /** The address, CIDR or `AS<n>`. */
  target: string;
  key: string;
  action: BlocklistEntry["action"];
  reason: string;
  source: BlocklistEntry["source"];
  score: number | null;
  /** When it was written (ISO); null when the writer did not say. */
  at: string | null;
  expiresAt: string | null;
  /** Applies to every site, not only the one it was written for. */
  shared: boolean;
}

/** The API view of a KV blocklist item; null for keys that are not blocklist entries. */
export function blocklistView(item: KvItem): BlocklistView | null {
  const target = targetOfBlocklistKey(item.key);
  if (target === null) return null;
  const entry = parseBlocklistEntry(item.raw ?? "");
  return {
    kind: target.kind,
    target: targetText(target),
    key: item.key,
    action: entry.action,
    reason: entry.reason,
    source: entry.source,
    score: entry.score ?? null,
    at: entry.at > 0 ? new Date(entry.at).toISOString() : null,
    expiresAt: item.expiration === null ? null : new Date(item.expiration * 1000).toISOString(),
    shared: item.shared ?? false,
  };
}

/** A page of one kind of blocklist entry. */
export async function listBlocklist(
  env: AdminEnv,
  kind: TargetKind,
  limit: number,
  cursor?: string,
  site?: string,
): Promise<{ entries: BlocklistView[]; nextCursor: string | null }> {
  const page = await listItems(env, kind, limit, cursor, site);
  return { entries: page.items.map(blocklistView).filter((v) => v !== null), nextCursor: page.nextCursor };
}

/** What an operator's block says. */
export interface BlockInput {
  readonly action: BlocklistEntry["action"];
  readonly reason: string;
  /** Seconds until KV drops the entry (≥ 60); null: until removed. */
  readonly ttlSeconds: number | null;
  /** The site the block is for (default: the default site). */
  readonly site?: string;
  /** Apply it to every site (an operator sharing a block across their sites). */
  readonly shared?: boolean;
}

/**
 * Writes operator blocks (already safety-checked) and one audit row each, with the value each replaced: `ip:`
 * entries to KV, networks and AS numbers to the RangeIndex (all of a batch in one call, one snapshot publish).
 * The store first: an audit failure after it answers 503 and logs the change, so it is never silent.
 */
export async function writeBlocks(
  env: AdminEnv,
  actor: string,
  action: string,
  targets: readonly BlockTarget[],
  input: BlockInput,
  nowMs: number,
): Promise<BlocklistView[]> {
  const store = new BlocklistStore(env, "operator");
  const entry: BlocklistEntry = { action: input.action, reason: input.reason, source: "operator", at: nowMs };
  const records: AuditRecord[] = [];
  const views: BlocklistView[] = [];
  const expiration = input.ttlSeconds === null ? null : Math.floor(nowMs / 1000) + input.ttlSeconds;
  for (let i = 0; i < targets.length; i += 50) {
    const keys = targets.slice(i, i + 50).map((t) => blocklistKeyOf(t, input.site, input.shared === true));
    const olds = await kv(() => store.getMany(keys));
    await kv(() =>
      store.put(
        keys.map((key) => ({ key, entry, ttlSeconds: input.ttlSeconds, shared: input.shared === true })),
        nowMs,
      ),
    );
    for (const key of keys) {
      records.push({
        actor,
        action,
        target: key,
        old: parseJson(olds.get(key) ?? null),
        new: { ...entry, ttlSeconds: input.ttlSeconds, ...(input.shared === true ? { shared: true } : {}) },
        ...(input.site === undefined ? {} : { site: input.site }),
      });
      const view = blocklistView({ key, raw: JSON.stringify(entry), expiration, shared: input.shared === true });
      if (view !== null) views.push(view);
    }
  }
  await auditAll(env, records);
  return views;
}

/** Removes one blocklist entry of a site (an address: its own entry, else its shared one); false when there was none. */
export async function removeBlock(env: AdminEnv, actor: string, target: BlockTarget, site?: string): Promise<boolean> {
  const store = new BlocklistStore(env, "operator");
  for (const key of new Set([blocklistKeyOf(target, site), blocklistKeyOf(target, site, true)])) {
    const old = await kv(() => store.remove(key));
    if (old === null) continue;
    await auditAll(env, [
      { actor, action: "blocklist.remove", target: key, old: parseJson(old), new: null, ...(site === undefined ? {} : { site }) },
    ]);
    return true;
  }
  return false;
}

/** Writes audit rows in one transaction; when Postgres fails the changes are logged in full before the 503. */
export async function auditAll(env: AdminEnv, records: readonly AuditRecord[]): Promise<void> {
  if (records.length === 0) return;
  try {
    await db(env, (d) => auditMany(d, records));
  } catch (error) {
    console.error(JSON.stringify({ msg: "audit write failed after a KV change", records }));
    throw error;
  }
}
