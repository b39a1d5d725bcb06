import { RANGE_INDEX_INSTANCE } from "../core/range-entries";
import { DurableObject } from "cloudflare:workers";
import { KvWriter, valueFromMetadata } from "../adapters/kv";
import { isOwnPeerEntry } from "../core/blocklist-entry";
import { kvKeys, KV_PREFIX, RANGE_KEY_KINDS, siteKeyPrefix, splitSiteKey, type RangeKeyKind } from "../core/kv-keys";
import { DEFAULT_SITE_ID } from "../core/sites";
import { compileRangeEntries, MAX_LISTED_ADDRESSES, rangeEntryOf, type ListedAddresses, type RangeSnapshot } from "../core/range-entries";
import { parseIp } from "../core/client-ip";
import { applyMigrations } from "./sqlite-migrations";

/** The bindings a RangeIndex uses: the KV namespace it publishes the snapshot to (and imports old entries from). */
export interface RangeIndexEnv {
  readonly BLOCKLIST: KVNamespace;
}

export { RANGE_INDEX_INSTANCE };

/** One entry to write: its key (`cidr:`, `asn:` or `allow:`, canonical), its JSON value, its lifetime in seconds. */
export interface RangeWrite {
  readonly key: string;
  readonly value: string;
  /** Seconds until the entry lapses; null: until removed. */
  readonly ttlSeconds: number | null;
  /** Applies to every site, not only the one its key names (default: its own site only). */
  readonly shared?: boolean;
}

/** A stored entry, shaped like a KV listing's item (admin's views read either). */
export interface RangeItem {
  readonly key: string;
  readonly raw: string;
  /** Epoch seconds when the entry lapses; null: never. */
  readonly expiration: number | null;
  /** Applies to every site (see RangeWrite). */
  readonly shared: boolean;
}

/** What a write did, key by key. */
export interface RangeWriteOutcome {
  readonly written: string[];
  /** Keys left alone because another source's entry was there (peer writes only). */
  readonly kept: string[];
}

/** Counters since this object started, and what it last published. */
export interface RangeIndexStats {
  readonly entries: number;
  readonly version: number | null;
  readonly importedAt: number | null;
  readonly kv: { readonly lists: number; readonly reads: number; readonly writes: number };
  readonly publishes: number;
  readonly publishFailures: number;
}

/** KV takes at most one write per second to a key: publishes of the snapshot are spaced at least this far apart. */
const PUBLISH_MIN_INTERVAL_MS = 1_000;
/** A publish that failed (KV down) is retried this much later by the alarm; the change itself is already stored. */
const PUBLISH_RETRY_MS = 30_000;
/** Most old KV keys imported per kind. */
const MAX_IMPORT_PER_KIND = 100_000;

// Append-only: never edit a shipped entry; add a new one.
const MIGRATIONS: readonly string[] = [
  "CREATE TABLE entries (key TEXT PRIMARY KEY, kind TEXT NOT NULL, value TEXT NOT NULL, expires_at INTEGER) WITHOUT ROWID",
  "CREATE INDEX entries_expiry ON entries (expires_at) WHERE expires_at IS NOT NULL",
  "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
  // Addresses with an `ip:` KV entry now, per site (the entry itself stays in KV): published in the snapshot as
  // `listed`, the distinct addresses of every site (a hint: the edge then reads the entry from its own site's key).
  `CREATE TABLE listed (site TEXT NOT NULL DEFAULT '${DEFAULT_SITE_ID}', ip TEXT NOT NULL, expires_at INTEGER, PRIMARY KEY (site, ip)) WITHOUT ROWID`,
  "CREATE INDEX listed_expiry ON listed (expires_at) WHERE expires_at IS NOT NULL",
  // Sites: the site owning an entry (named by its key's `site:<id>:` prefix; every existing row is the default
  // site's), and whether it applies to all sites.
  `ALTER TABLE entries ADD COLUMN site TEXT NOT NULL DEFAULT '${DEFAULT_SITE_ID}'`,
  "ALTER TABLE entries ADD COLUMN shared INTEGER NOT NULL DEFAULT 0",
  "CREATE INDEX entries_site_kind ON entries (site, kind, key)",
];

/** One address that has an `ip:` entry on a site (absent: the default site), and when it lapses (epoch ms; null: until removed). */
export interface ListedAddress {
  readonly ip: string;
  readonly expiresAt: number | null;
  readonly site?: string;
}

/**
 * The single writer of CIDR, ASN and allow-list entries (admin, peer syncs, escalation's prefix blocks, the
 * tarpit's hop-out prefixes). Concurrent writers never lose an update: each call runs alone here. After a change it
 * compiles the snapshot and publishes it to KV (`ranges:snapshot` and `ranges:version`), which every edge isolate
 * reloads within RANGES_REFRESH_MS. Nothing lists KV on a schedule: the one listing is the import, on first use, of
 * entries older versions wrote straight to KV, and it is recorded so it never runs again.
 */
export class RangeIndex extends DurableObject<RangeIndexEnv> {
  readonly #kv: KvWriter;
  readonly #ops = { lists: 0, reads: 0, writes: 0 };
  #publishes = 0;
  #publishedAt = 0;
  #publishFailures = 0;
  #ready: Promise<void> | null = null;
  #running: Promise<void> = Promise.resolve();
  #queued: Promise<void> | null = null;

  constructor(ctx: DurableObjectState, env: RangeIndexEnv) {
    super(ctx, env);
    this.#kv = new KvWriter(env.BLOCKLIST, "range-index");
    void ctx.blockConcurrencyWhile(async () => applyMigrations(ctx.storage, MIGRATIONS));
  }

  /**
   * Writes entries and publishes the snapshot before answering. With `peer`, a key already held by another source
   * (an operator, escalation, another peer) is kept: a peer only adds or refreshes its own entries.
   */
  async put(writes: readonly RangeWrite[], options: { readonly peer?: string } = {}): Promise<RangeWriteOutcome> {
    await this.#importOnce();
    const now = Date.now();
    const sql = this.ctx.storage.sql;
    const written: string[] = [];
    const kept: string[] = [];
    this.ctx.storage.transactionSync(() => {
      for (const w of writes) {
        const kind = kindOf(w.key, w.value);
        if (options.peer !== undefined) {
          const held = this.#live(w.key, now);
          if (held !== null && !isOwnPeerEntry(held.raw, options.peer)) {
            kept.push(w.key);
            continue;
          }
        }
        const expiresAt = w.ttlSeconds === null ? null : now + w.ttlSeconds * 1000;
        sql.exec(
          "INSERT OR REPLACE INTO entries (key, kind, value, expires_at, site, shared) VALUES (?, ?, ?, ?, ?, ?)",
          w.key,
          kind,
          w.value,
          expiresAt,
          splitSiteKey(w.key).site,
          w.shared === true ? 1 : 0,
        );
        written.push(w.key);
      }
    });
    if (written.length > 0) await this.#changed();
    return { written, kept };
  }

  /** Removes entries (with `peer`, only that peer's own) and publishes; answers what was removed. */
  async remove(keys: readonly string[], options: { readonly peer?: string } = {}): Promise<RangeItem[]> {
    await this.#importOnce();
    const now = Date.now();
    const removed: RangeItem[] = [];
    this.ctx.storage.transactionSync(() => {
      for (const key of keys) {
        const held = this.#live(key, now);
        if (held === null || (options.peer !== undefined && !isOwnPeerEntry(held.raw, options.peer))) continue;
        this.ctx.storage.sql.exec("DELETE FROM entries WHERE key = ?", key);
        removed.push(held);
      }
    });
    if (removed.length > 0) await this.#changed();
    return removed;
  }

  /**
   * Notes addresses that now have an `ip:` entry in KV (every writer goes through adapters/blocklist-store.ts), and
   * publishes: the edge then answers "not listed" for every other new client from memory, without a KV read.
   */
  async noteListed(items: readonly ListedAddress[]): Promise<void> {
    await this.#importOnce();
    this.ctx.storage.transactionSync(() => {
      for (const item of items) {
        const ip = parseIp(item.ip);
        if (ip === null) continue;
        const site = item.site ?? DEFAULT_SITE_ID;
        this.ctx.storage.sql.exec("INSERT OR REPLACE INTO listed (site, ip, expires_at) VALUES (?, ?, ?)", site, ip, item.expiresAt);
      }
    });
    await this.#changed();
  }

  /** Notes addresses whose `ip:` entry on `site` was removed (an entry on another site keeps them listed), and publishes. */
  async unnoteListed(ips: readonly string[], site: string = DEFAULT_SITE_ID): Promise<void> {
    await this.#importOnce();
    this.ctx.storage.transactionSync(() => {
      for (const ip of ips) this.ctx.storage.sql.exec("DELETE FROM listed WHERE site = ? AND ip = ?", site, parseIp(ip) ?? ip);
    });
    await this.#changed();
  }

  /** The live entries among `keys` (absent and lapsed ones left out). */
  async get(keys: readonly string[]): Promise<RangeItem[]> {
    await this.#importOnce();
    const now = Date.now();
    return keys.map((key) => this.#live(key, now)).filter((item) => item !== null);
  }

  /** A page of one site's live entries of one kind, in key order; `cursor` is the last key of the previous page. */
  async list(
    kind: RangeKeyKind,
    limit: number,
    cursor?: string,
    site: string = DEFAULT_SITE_ID,
  ): Promise<{ items: RangeItem[]; nextCursor: string | null }> {
    await this.#importOnce();
    const prefix = siteKeyPrefix(site) + KV_PREFIX[kind];
    const rows = this.ctx.storage.sql
      .exec<Row>(
        "SELECT key, value, expires_at, shared FROM entries WHERE site = ? AND kind = ? AND key > ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY key LIMIT ?",
        site,
        kind,
        cursor ?? prefix,
        Date.now(),
        limit + 1,
      )
      .toArray();
    const items = rows.slice(0, limit).map(itemOf);
    return { items, nextCursor: rows.length > limit ? (items.at(-1)?.key ?? null) : null };
  }

  /** The live entries of one kind shared across every site, whichever site wrote them (at most `limit`). */
  async listShared(kind: RangeKeyKind, limit = 10_000): Promise<RangeItem[]> {
    await this.#importOnce();
    return this.ctx.storage.sql
      .exec<Row>(
        "SELECT key, value, expires_at, shared FROM entries WHERE shared = 1 AND kind = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY key LIMIT ?",
        kind,
        Date.now(),
        limit,
      )
      .toArray()
      .map(itemOf);
  }

  /** What this object did since it started (KV operations counted), and what it last published. */
  async stats(): Promise<RangeIndexStats> {
    await this.#importOnce();
    const n = this.ctx.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM entries").one().n;
    const version = this.#meta("version");
    const importedAt = this.#meta("imported_at");
    return {
      entries: n,
      version: version === null ? null : Number(version),
      importedAt: importedAt === null ? null : Number(importedAt),
      kv: { ...this.#ops },
      publishes: this.#publishes,
      publishFailures: this.#publishFailures,
    };
  }

  /** Drops lapsed entries and publishes (a lapsed entry leaves the snapshot); retries a failed publish. */
  override async alarm(): Promise<void> {
    await this.#importOnce();
    this.ctx.storage.sql.exec("DELETE FROM entries WHERE expires_at IS NOT NULL AND expires_at <= ?", Date.now());
    this.ctx.storage.sql.exec("DELETE FROM listed WHERE expires_at IS NOT NULL AND expires_at <= ?", Date.now());
    await this.#changed();
  }

  async #changed(): Promise<void> {
    await this.#publish();
    await this.#armAlarm();
  }

  /**
   * Publishes the snapshot; a call while a publish runs (or waits out KV's one write per second per key) joins the
   * next one, which reads every change made by then: a burst of writes costs one publish per second, not one each.
   */
  #publish(): Promise<void> {
    this.#queued ??= this.#running
      .catch(() => undefined)
      .then(async () => {
        const wait = this.#publishedAt + PUBLISH_MIN_INTERVAL_MS - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        this.#queued = null; // from here on, a new change needs the next publish
        this.#running = this.#publishNow();
        return this.#running;
      });
    return this.#queued;
  }

  async #publishNow(): Promise<void> {
    const now = Date.now();
    const rows = this.ctx.storage.sql.exec<Row>("SELECT key, value, expires_at, shared FROM entries").toArray();
    const entries = compileRangeEntries(
      rows.map((r) => ({ key: r.key, raw: r.value, expiresAt: r.expires_at, shared: r.shared === 1 })),
      now,
    );
    const listed = this.#listed(now);
    const body = JSON.stringify([entries, listed]);
    const digest = await sha256(body);
    if (digest === this.#meta("published_digest")) return;
    const version = Math.max(now, Number(this.#meta("version") ?? 0) + 1);
    const snapshot: RangeSnapshot = { v: 1, version, entries, listed };
    try {
      // The snapshot first: an isolate that sees the new version must find the new snapshot.
      await this.#kv.putDocument(kvKeys.rangeSnapshot, JSON.stringify(snapshot), `range snapshot: ${entries.length} entries`, {
        ttlSeconds: null,
        now,
      });
      await this.#kv.putDocument(kvKeys.rangeVersion, String(version), "range snapshot version", { ttlSeconds: null, now });
      this.#ops.writes += 2;
      this.#publishes++;
      this.#publishedAt = Date.now();
      this.#setMeta("version", String(version));
      this.#setMeta("published_digest", digest);
      this.#setMeta("publish_pending", "0");
    } catch (error) {
      this.#publishFailures++;
      this.#setMeta("publish_pending", "1");
      console.error(JSON.stringify({ msg: "range snapshot not published; retrying", error: String(error) }));
    }
  }

  /** The live listed addresses, in address order; `overflow` past MAX_LISTED_ADDRESSES or when the import was capped. */
  #listed(now: number): ListedAddresses {
    const rows = this.ctx.storage.sql
      .exec<{ ip: string }>(
        "SELECT DISTINCT ip FROM listed WHERE expires_at IS NULL OR expires_at > ? ORDER BY ip LIMIT ?",
        now,
        MAX_LISTED_ADDRESSES + 1,
      )
      .toArray();
    if (rows.length > MAX_LISTED_ADDRESSES || this.#meta("listed_overflow") === "1") return { addresses: [], overflow: true };
    return { addresses: rows.map((r) => r.ip), overflow: false };
  }

  async #armAlarm(): Promise<void> {
    const pending = this.#meta("publish_pending") === "1";
    const next = this.ctx.storage.sql
      .exec<{ at: number | null }>(
        "SELECT min(at) AS at FROM (SELECT min(expires_at) AS at FROM entries WHERE expires_at IS NOT NULL UNION ALL SELECT min(expires_at) FROM listed WHERE expires_at IS NOT NULL)",
      )
      .one().at;
    const retry = pending ? Date.now() + PUBLISH_RETRY_MS : null;
    const at = [next, retry].filter((t) => t !== null).reduce<number | null>((a, b) => (a === null || b < a ? b : a), null);
    if (at === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(at);
  }

  /** Imports the `cidr:`, `asn:` and `allow:` keys older versions wrote to KV: once, on first use, then never lists again. */
  #importOnce(): Promise<void> {
    this.#ready ??= this.#import().catch((error: unknown) => {
      this.#ready = null; // KV unreachable: try again on the next call, and answer this one's error
      throw error;
    });
    return this.#ready;
  }

  async #import(): Promise<void> {
    const listedImported = await this.#importListed();
    if (this.#meta("imported_at") !== null) {
      if (listedImported) await this.#changed(); // an object from before listed addresses: publish them now
      return;
    }
    const found: { key: string; kind: RangeKeyKind; value: string; expiresAt: number | null }[] = [];
    for (const kind of RANGE_KEY_KINDS) {
      let cursor: string | undefined;
      let read = 0;
      do {
        const page = await this.env.BLOCKLIST.list<unknown>({ prefix: KV_PREFIX[kind], cursor, limit: 1000 });
        this.#ops.lists++;
        for (const k of page.keys) {
          let value = valueFromMetadata(k.metadata);
          if (value === null) {
            value = (await this.env.BLOCKLIST.get(k.name)) ?? "";
            this.#ops.reads++;
          }
          const expiresAt = k.expiration === undefined ? null : k.expiration * 1000;
          if (rangeEntryOf(k.name, value, expiresAt) !== null) found.push({ key: k.name, kind, value, expiresAt });
        }
        read += page.keys.length;
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor !== undefined && read < MAX_IMPORT_PER_KIND);
    }
    this.ctx.storage.transactionSync(() => {
      // OR IGNORE: an entry this object already holds is newer than the KV key it replaced.
      for (const f of found)
        this.ctx.storage.sql.exec(
          "INSERT OR IGNORE INTO entries (key, kind, value, expires_at) VALUES (?, ?, ?, ?)",
          f.key,
          f.kind,
          f.value,
          f.expiresAt,
        );
      this.#setMeta("imported_at", String(Date.now()));
    });
    console.log(JSON.stringify({ msg: "range index imported KV entries", entries: found.length, lists: this.#ops.lists }));
    await this.#changed();
  }

  /**
   * Imports the addresses of the `ip:` keys in KV (written before this object kept them): once, then never lists again.
   * Past MAX_LISTED_ADDRESSES keys the snapshot says `overflow` from then on, and the edge reads KV for every new client.
   */
  async #importListed(): Promise<boolean> {
    if (this.#meta("imported_listed_at") !== null) return false;
    const found: ListedAddress[] = [];
    let cursor: string | undefined;
    let complete = true;
    do {
      const page = await this.env.BLOCKLIST.list({ prefix: KV_PREFIX.ip, cursor, limit: 1000 });
      this.#ops.lists++;
      for (const k of page.keys)
        found.push({ ip: k.name.slice(KV_PREFIX.ip.length), expiresAt: k.expiration === undefined ? null : k.expiration * 1000 });
      cursor = page.list_complete ? undefined : page.cursor;
      if (cursor !== undefined && found.length > MAX_LISTED_ADDRESSES) complete = false;
    } while (cursor !== undefined && complete);
    this.ctx.storage.transactionSync(() => {
      for (const f of found) {
        const ip = parseIp(f.ip);
        // OR IGNORE: an address noted here already is newer than the KV listing.
        if (ip !== null) this.ctx.storage.sql.exec("INSERT OR IGNORE INTO listed (ip, expires_at) VALUES (?, ?)", ip, f.expiresAt);
      }
      if (!complete) this.#setMeta("listed_overflow", "1");
      this.#setMeta("imported_listed_at", String(Date.now()));
    });
    return true;
  }

  #live(key: string, now: number): RangeItem | null {
    const row = this.ctx.storage.sql.exec<Row>("SELECT key, value, expires_at, shared FROM entries WHERE key = ?", key).toArray()[0];
    return row === undefined || (row.expires_at !== null && row.expires_at <= now) ? null : itemOf(row);
  }

  #meta(key: string): string | null {
    return this.ctx.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value ?? null;
  }

  #setMeta(key: string, value: string): void {
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
  }
}

type Row = { key: string; value: string; expires_at: number | null; shared: number };

function itemOf(row: Row): RangeItem {
  return {
    key: row.key,
    raw: row.value,
    expiration: row.expires_at === null ? null : Math.floor(row.expires_at / 1000),
    shared: row.shared === 1,
  };
}

/** The kind of a range key; throws for anything else (a caller's bug: callers build keys with core/kv-keys.ts). */
function kindOf(key: string, value: string): RangeKeyKind {
  const entry = rangeEntryOf(key, value, null);
  const own = splitSiteKey(key).key;
  const kind = RANGE_KEY_KINDS.find((k) => own.startsWith(KV_PREFIX[k]));
  if (entry === null || kind === undefined) throw new Error(`not a range entry key: ${key.slice(0, 80)}`);
  return kind;
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
