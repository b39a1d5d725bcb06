import { DurableObject } from "cloudflare:workers";
import { parseCidr } from "../core/cidr";
import { RANGE_SNAPSHOT_KEY, RANGE_VERSION_KEY, RangeEntrySchema, type RangeEntry, type RangeSnapshot } from "../core/range-entries";
import { fail, ok, type Result } from "../core/result";

interface RangeIndexEnv {
  readonly BLOCKLIST: KVNamespace;
}

/** How long after a change the snapshot is published: changes in a burst go out together. */
const PUBLISH_DELAY_MS = 1_000;

// Append-only: never edit a shipped entry; add a new one.
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE ranges (scope TEXT NOT NULL, value TEXT NOT NULL, action TEXT NOT NULL, reason TEXT NOT NULL,
     source TEXT NOT NULL, expires_at INTEGER, at INTEGER NOT NULL, PRIMARY KEY (scope, value))`,
  "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
];

/**
 * The one writer of CIDR and ASN entries (use the name "global"). Admin, escalation, the tarpit and peer syncs
 * call it over RPC; it publishes a snapshot to KV that every edge isolate loads, so the hot path needs no
 * lookup per range. One writer means no lost updates between concurrent writers of one KV value.
 */
export class RangeIndex extends DurableObject<RangeIndexEnv> {
  constructor(ctx: DurableObjectState, env: RangeIndexEnv) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => this.#migrate());
  }

  /** Adds or replaces an entry (canonicalising a CIDR); an automatic entry never replaces an operator's allow. */
  async put(input: RangeEntry): Promise<Result<RangeEntry, string>> {
    const parsed = RangeEntrySchema.safeParse(input);
    if (!parsed.success) return fail(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    let entry = parsed.data;
    if (entry.scope === "cidr") {
      const cidr = parseCidr(entry.value, "mask");
      if (!cidr.ok) return fail(cidr.error);
      entry = { ...entry, value: cidr.value.text };
    } else if (!/^\d{1,10}$/.test(entry.value)) return fail(`"${entry.value}" is not an AS number`);
    const sql = this.ctx.storage.sql;
    const existing = sql.exec<{ action: string; source: string }>("SELECT action, source FROM ranges WHERE scope = ? AND value = ?", entry.scope, entry.value).toArray()[0];
    if (existing?.action === "allow" && existing.source === "operator" && entry.source !== "operator") return fail("an operator allow-listed this range");
    sql.exec(
      "INSERT OR REPLACE INTO ranges (scope, value, action, reason, source, expires_at, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      entry.scope, entry.value, entry.action, entry.reason, entry.source, entry.expiresAt, entry.at,
    );
    await this.#schedulePublish();
    return ok(entry);
  }

  /** Removes an entry; true when there was one. */
  async remove(scope: RangeEntry["scope"], value: string): Promise<boolean> {
    const cidr = scope === "cidr" ? parseCidr(value, "mask") : null;
    const canonical = cidr?.ok ? cidr.value.text : value;
    const removed = this.ctx.storage.sql.exec("DELETE FROM ranges WHERE scope = ? AND value = ?", scope, canonical).rowsWritten > 0;
    if (removed) await this.#schedulePublish();
    return removed;
  }

  /** Live entries at `now`, newest first. */
  list(now: number): RangeEntry[] {
    return this.ctx.storage.sql
      .exec<{ scope: string; value: string; action: string; reason: string; source: string; expires_at: number | null; at: number }>(
        "SELECT * FROM ranges WHERE expires_at IS NULL OR expires_at > ? ORDER BY at DESC",
        now,
      )
      .toArray()
      .flatMap((r) => {
        const entry = RangeEntrySchema.safeParse({ scope: r.scope, value: r.value, action: r.action, reason: r.reason, source: r.source, expiresAt: r.expires_at, at: r.at });
        return entry.success ? [entry.data] : [];
      });
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM ranges WHERE expires_at IS NOT NULL AND expires_at <= ?", now);
    const version = (sql.exec<{ value: number }>("SELECT value FROM meta WHERE key = 'version'").toArray()[0]?.value ?? 0) + 1;
    sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('version', ?)", version);
    const snapshot: RangeSnapshot = { v: 1, version, entries: this.list(now) };
    await this.env.BLOCKLIST.put(RANGE_SNAPSHOT_KEY, JSON.stringify(snapshot));
    await this.env.BLOCKLIST.put(RANGE_VERSION_KEY, String(version));
    const next = sql.exec<{ t: number | null }>("SELECT min(expires_at) AS t FROM ranges WHERE expires_at IS NOT NULL").one().t;
    if (next !== null) await this.ctx.storage.setAlarm(Math.max(next, now + PUBLISH_DELAY_MS));
  }

  async #schedulePublish(): Promise<void> {
    const due = Date.now() + PUBLISH_DELAY_MS;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > due) await this.ctx.storage.setAlarm(due);
  }

  #migrate(): void {
    const sql = this.ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS _migrations (id INTEGER PRIMARY KEY)");
    const done = sql.exec<{ n: number }>("SELECT count(*) AS n FROM _migrations").one().n;
    this.ctx.storage.transactionSync(() =>
      MIGRATIONS.slice(done).forEach((statement, i) => {
        sql.exec(statement);
        sql.exec("INSERT INTO _migrations (id) VALUES (?)", done + i);
      }),
    );
  }
}
