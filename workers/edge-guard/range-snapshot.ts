import { parseBlocklistEntry } from "../../core/blocklist-entry";
import { parseCidr } from "../../core/cidr";
import { RANGE_SNAPSHOT_KEY, RANGE_VERSION_KEY, type RangeEntry, type RangeSnapshot } from "../../core/range-entries";

/** The KV prefixes whose entries cover more than one request key: networks, AS numbers, and the allow-list. */
const PREFIXES = ["cidr:", "asn:", "allow:"] as const;
/** Most keys read per prefix in one run (KV allows 1000 operations per invocation; a list page is 1000 keys). */
const MAX_KEYS_PER_PREFIX = 100_000;

/** Reads a key's value: from its metadata when the writer stored it there (admin does), else one get. */
async function valueOf(kv: KVNamespace, key: { name: string; metadata?: unknown }): Promise<string | null> {
  return typeof key.metadata === "string" ? key.metadata : kv.get(key.name);
}

function toEntry(prefix: (typeof PREFIXES)[number], name: string, raw: string | null, expiration: number | undefined): RangeEntry | null {
  const target = name.slice(prefix.length);
  const expiresAt = expiration === undefined ? null : expiration * 1000;
  if (prefix === "allow:") {
    const cidr = parseCidr(target, "mask");
    if (!cidr.ok) return null;
    return { scope: "cidr", value: cidr.value.text, action: "allow", reason: "allow-list", source: "operator", expiresAt, at: 0 };
  }
  const entry = parseBlocklistEntry(raw ?? "");
  if (prefix === "asn:") {
    const asn = /^(?:as)?(\d{1,10})$/i.exec(target)?.[1];
    return asn === undefined ? null : { scope: "asn", value: asn, action: entry.action, reason: entry.reason, source: entry.source, expiresAt, at: entry.at };
  }
  const cidr = parseCidr(target, "mask");
  return cidr.ok ? { scope: "cidr", value: cidr.value.text, action: entry.action, reason: entry.reason, source: entry.source, expiresAt, at: entry.at } : null;
}

/**
 * Compiles every `cidr:`, `asn:` and `allow:` KV entry (written by admin, escalation, the tarpit and peer syncs)
 * into one snapshot that edge isolates load whole: an edge cannot ask KV "which network holds this IP". Runs
 * on a Cron Trigger every minute; writes only when something changed. Allow entries win over blocks of the
 * same network.
 */
export async function buildRangeSnapshot(kv: KVNamespace): Promise<{ entries: number; changed: boolean }> {
  const entries = new Map<string, RangeEntry>();
  for (const prefix of PREFIXES) {
    let cursor: string | undefined;
    let read = 0;
    do {
      const page = await kv.list<unknown>({ prefix, cursor, limit: 1000 });
      const values = await Promise.all(page.keys.map((k) => valueOf(kv, k)));
      page.keys.forEach((key, i) => {
        const entry = toEntry(prefix, key.name, values[i] ?? null, key.expiration);
        if (entry === null) return;
        const id = `${entry.scope}:${entry.value}`;
        if (entries.get(id)?.action !== "allow") entries.set(id, entry);
      });
      read += page.keys.length;
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor !== undefined && read < MAX_KEYS_PER_PREFIX);
  }
  const list = [...entries.values()].sort((a, b) => (a.scope + a.value < b.scope + b.value ? -1 : 1));
  const body = JSON.stringify(list);
  const previous = await kv.get<{ entries: unknown }>(RANGE_SNAPSHOT_KEY, "json");
  if (previous !== null && JSON.stringify(previous.entries) === body) return { entries: list.length, changed: false };
  const version = Date.now();
  const snapshot: RangeSnapshot = { v: 1, version, entries: list };
  await kv.put(RANGE_SNAPSHOT_KEY, JSON.stringify(snapshot));
  await kv.put(RANGE_VERSION_KEY, String(version));
  return { entries: list.length, changed: true };
}
