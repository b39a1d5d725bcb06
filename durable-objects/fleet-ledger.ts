import { DurableObject } from "cloudflare:workers";
import { KvWriter } from "../adapters/kv";
import { FLEET_WINDOW_MS, fleetFlag } from "../core/fleet";
import { FLEET_INDEX_KV_KEY, FLEET_MEMBERS_SHOWN, FleetIndexSchema, mergeFleetIndex, type FlaggedGroup } from "../core/fleet-index";
import { applyMigrations } from "./sqlite-migrations";

/** The bindings a FleetLedger uses: KV for the snapshot, and its own namespace to reach the index instance. */
export interface FleetLedgerEnv {
  readonly BLOCKLIST: KVNamespace;
  readonly FLEET_LEDGER: DurableObjectNamespace<FleetLedger>;
}

/** What a group's ledger answers after taking evidence. */
export interface FleetAnswer {
  /** Epoch ms until which the group is challenged; null when it is not flagged. */
  readonly flaggedUntil: number | null;
  /** Distinct addresses with evidence in the window. */
  readonly addresses: number;
}

/** Name of the one instance that keeps the snapshot of flagged groups. */
export const FLEET_INDEX_INSTANCE = "_index";

// Append-only: never edit a shipped entry; add a new one.
const MIGRATIONS: readonly string[] = [
  // One row per (address, code): a busy fleet costs as many rows as it has members, not as it sends requests.
  "CREATE TABLE evidence (ip TEXT NOT NULL, code TEXT NOT NULL, at INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (ip, code)) WITHOUT ROWID",
  "CREATE INDEX evidence_at ON evidence (at)",
  "CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
];

/**
 * One instance per fleet group (`core/fleet.ts` fleetGroup): counts which addresses of the group showed bot
 * evidence, flags the group when enough did, and publishes flagged groups through the index instance. Reached only
 * for requests that carry evidence: a quiet client never costs a call here.
 */
export class FleetLedger extends DurableObject<FleetLedgerEnv> {
  constructor(ctx: DurableObjectState, env: FleetLedgerEnv) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => applyMigrations(ctx.storage, MIGRATIONS));
  }

  /** Records evidence `codes` from `ip` of group `group` at `at` (epoch ms); flags the group when enough addresses did. */
  async evidence(group: string, ip: string, codes: readonly string[], userAgent: string, at: number): Promise<FleetAnswer> {
    const sql = this.ctx.storage.sql;
    for (const code of codes.slice(0, 16)) {
      sql.exec(
        "INSERT INTO evidence (ip, code, at, n) VALUES (?, ?, ?, 1) ON CONFLICT (ip, code) DO UPDATE SET at = max(at, excluded.at), n = n + 1",
        ip.slice(0, 64),
        code.slice(0, 64),
        at,
      );
    }
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(at + FLEET_WINDOW_MS);
    const since = at - FLEET_WINDOW_MS;
    const addresses = sql
      .exec<{ ip: string }>("SELECT DISTINCT ip FROM evidence WHERE at > ? ORDER BY ip LIMIT 10000", since)
      .toArray()
      .map((r) => r.ip);
    const previous = Number(this.#get("until") ?? 0);
    const flag = fleetFlag(addresses.length, previous, at);
    if (flag === null) return { flaggedUntil: previous > at ? previous : null, addresses: addresses.length };
    const { until } = flag;
    if (flag.publish) {
      if (flag.first) this.#set("since", String(at));
      this.#set("until", String(until));
      const evidence: Record<string, number> = {};
      for (const row of sql.exec<{ code: string; n: number }>("SELECT code, sum(n) AS n FROM evidence WHERE at > ? GROUP BY code", since))
        evidence[row.code] = row.n;
      const flagged: FlaggedGroup = {
        group: group.slice(0, 64),
        since: Number(this.#get("since") ?? at),
        until,
        members: addresses.slice(0, FLEET_MEMBERS_SHOWN),
        addresses: addresses.length,
        evidence,
        userAgent: userAgent.slice(0, 300),
      };
      await this.env.FLEET_LEDGER.getByName(FLEET_INDEX_INSTANCE).publish(flagged, at);
    }
    return { flaggedUntil: until, addresses: addresses.length };
  }

  /** Index instance only: merges one flagged group into the KV snapshot the edge and admin read. */
  async publish(flagged: FlaggedGroup, at: number): Promise<void> {
    const stored = this.#get("index");
    const parsed = stored === null ? null : FleetIndexSchema.safeParse(JSON.parse(stored));
    const index = mergeFleetIndex(parsed?.success ? parsed.data : null, flagged, at);
    const text = JSON.stringify(index);
    this.#set("index", text);
    await new KvWriter(this.env.BLOCKLIST, "fleet-ledger").putDocument(
      FLEET_INDEX_KV_KEY,
      text,
      `flagged fleet groups: ${index.groups.length}`,
      { ttlSeconds: null, now: at },
    );
  }

  override async alarm(): Promise<void> {
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM evidence WHERE at <= ?", Date.now() - FLEET_WINDOW_MS);
    if (sql.exec<{ n: number }>("SELECT count(*) AS n FROM evidence").one().n > 0)
      await this.ctx.storage.setAlarm(Date.now() + FLEET_WINDOW_MS);
  }

  #get(key: string): string | null {
    return this.ctx.storage.sql.exec<{ value: string }>("SELECT value FROM state WHERE key = ?", key).toArray()[0]?.value ?? null;
  }

  #set(key: string, value: string): void {
    this.ctx.storage.sql.exec(
      "INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      key,
      value,
    );
  }
}
