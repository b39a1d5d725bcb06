import { AppError } from "../../../adapters/http";

/** One KV key with its raw value and expiry. */
export interface KvItem {
  readonly key: string;
  readonly raw: string | null;
  /** Epoch seconds when KV drops the key; null: never. */
  readonly expiration: number | null;
}

/** Runs a KV call; a failure is 503 `kv_unavailable` (the change did not happen, or not all of it). */
export async function kv<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError(503, "kv_unavailable", "the BLOCKLIST KV namespace is not reachable", { cause: error });
  }
}

/**
 * A page of keys under `prefix` with their values. Values written by admin ride along as metadata; keys
 * written by other Workers without metadata are read one by one.
 */
export async function listItems(ns: KVNamespace, prefix: string, limit: number, cursor?: string): Promise<{ items: KvItem[]; nextCursor: string | null }> {
  return kv(async () => {
    const page = await ns.list<string>({ prefix, limit, cursor });
    const items = await Promise.all(
      page.keys.map(async (k) => ({
        key: k.name,
        raw: typeof k.metadata === "string" ? k.metadata : await ns.get(k.name),
        expiration: k.expiration ?? null,
      })),
    );
    return { items, nextCursor: page.list_complete ? null : page.cursor };
  });
}

/** Every key under `prefix` (names only), up to `max`: for the allow-list check and exports. */
export async function allKeys(ns: KVNamespace, prefix: string, max = 10_000): Promise<{ name: string; expiration: number | null }[]> {
  return kv(async () => {
    const keys: { name: string; expiration: number | null }[] = [];
    let cursor: string | undefined;
    do {
      const page = await ns.list({ prefix, cursor, limit: 1000 });
      keys.push(...page.keys.map((k) => ({ name: k.name, expiration: k.expiration ?? null })));
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor !== undefined && keys.length < max);
    return keys;
  });
}

/** Writes a JSON value (also as metadata, so lists need no extra reads), with a TTL in seconds or none. */
export async function putJson(ns: KVNamespace, key: string, value: unknown, ttlSeconds: number | null): Promise<void> {
  const text = JSON.stringify(value);
  await kv(() => ns.put(key, text, { ...(ttlSeconds === null ? {} : { expirationTtl: ttlSeconds }), metadata: text.length <= 1000 ? text : undefined }));
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
