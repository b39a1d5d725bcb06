import type { BlocklistBindings } from "../../../adapters/blocklist-store";
import { RANGE_INDEX_INSTANCE } from "../../../core/range-entries";
import { AppError } from "../../../adapters/http";
import { valueFromMetadata } from "../../../adapters/kv";
import { KV_PREFIX, siteKeyPrefix, type RangeKeyKind } from "../../../core/kv-keys";
import { DEFAULT_SITE_ID } from "../../../core/sites";

/** One KV key with its raw value and expiry. */
export interface KvItem {
  readonly key: string;
  readonly raw: string | null;
  /** Epoch seconds when KV drops the key; null: never. */
  readonly expiration: number | null;
  /** A range entry that applies to every site (absent: its own site only). */
  readonly shared?: boolean;
}

/** Runs a KV or RangeIndex call; a failure is 503 `kv_unavailable` (the change did not happen, or not all of it). */
export async function kv<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError(503, "kv_unavailable", "the BLOCKLIST KV namespace is not reachable", { cause: error });
  }
}

/** The kinds of entry admin lists: `ip:` keys in KV, the rest in the RangeIndex. */
export type EntryKind = "ip" | RangeKeyKind;

/**
 * A page of one kind of entry with their values: `ip:` keys from KV (values ride along as metadata, older keys
 * without it are read one by one), networks, AS numbers and the allow-list from the RangeIndex (no KV listing).
 */
export async function listItems(
  env: BlocklistBindings,
  kind: EntryKind,
  limit: number,
  cursor?: string,
  site: string = DEFAULT_SITE_ID,
): Promise<{ items: KvItem[]; nextCursor: string | null }> {
  if (kind !== "ip") return kv(() => env.RANGE_INDEX.getByName(RANGE_INDEX_INSTANCE).list(kind, limit, cursor, site));
  const ns = env.BLOCKLIST;
  return kv(async () => {
    const page = await ns.list<unknown>({ prefix: siteKeyPrefix(site) + KV_PREFIX.ip, limit, cursor });
    const items = await Promise.all(
      page.keys.map(async (k) => ({
        key: k.name,
        raw: valueFromMetadata(k.metadata) ?? (await ns.get(k.name)),
        expiration: k.expiration ?? null,
      })),
    );
    return { items, nextCursor: page.list_complete ? null : page.cursor };
  });
}

/** Every key of one kind of a site (names only), up to `max`: for the allow-list check and exports. */
export async function allKeys(
  env: BlocklistBindings,
  kind: EntryKind,
  max = 10_000,
  site: string = DEFAULT_SITE_ID,
): Promise<{ name: string; expiration: number | null }[]> {
  const keys: { name: string; expiration: number | null }[] = [];
  let cursor: string | undefined;
  do {
    const page = await listItems(env, kind, 1000, cursor, site);
    keys.push(...page.items.map((item) => ({ name: item.key, expiration: item.expiration })));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && keys.length < max);
  return keys;
}

/** Parses a stored JSON value; null when absent or not JSON. */
export function parseJson(raw: string | null): unknown {
  if (raw === null) return null;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}
