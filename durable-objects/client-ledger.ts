import { DurableObject } from "cloudflare:workers";
import type { ClientCounts } from "../core/report";

/** How long a hit counts toward a client's history. */
export const LEDGER_WINDOW_MS = 10 * 60_000;
const MINUTE_MS = 60_000;

// Append-only: never edit a shipped entry; add a new one.
const MIGRATIONS: readonly string[] = [
  "CREATE TABLE hits (at INTEGER NOT NULL, tarpit INTEGER NOT NULL DEFAULT 0)",
  "CREATE INDEX hits_at ON hits (at)",
];

/** One instance per client key (an IP for now). Counts the client's recent requests and forgets them on an alarm. */
export class ClientLedger extends DurableObject<unknown> {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    // Runs before any RPC is delivered, so methods always see the current schema.
    void ctx.blockConcurrencyWhile(async () => this.#migrate());
  }

  /** Records a request at `at` (epoch ms) and returns the client's counts, this request included. */
  async record(at: number): Promise<ClientCounts> {
    const sql = this.ctx.storage.sql;
    sql.exec("INSERT INTO hits (at) VALUES (?)", at);
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(at + LEDGER_WINDOW_MS);
    return this.#counts(at);
  }

  /** Marks the request recorded at `at` as answered by the tarpit. */
  async markTarpit(at: number): Promise<void> {
    this.ctx.storage.sql.exec("UPDATE hits SET tarpit = 1 WHERE rowid = (SELECT max(rowid) FROM hits WHERE at = ?)", at);
  }

  override async alarm(): Promise<void> {
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM hits WHERE at <= ?", Date.now() - LEDGER_WINDOW_MS);
    const left = sql.exec<{ n: number }>("SELECT count(*) AS n FROM hits").one().n;
    if (left > 0) await this.ctx.storage.setAlarm(Date.now() + LEDGER_WINDOW_MS);
  }

  #counts(at: number): ClientCounts {
    const row = this.ctx.storage.sql
      .exec<{ m1: number; m10: number; tarpit: number }>(
        `SELECT coalesce(sum(at > ?), 0) AS m1, count(*) AS m10, coalesce(sum(tarpit), 0) AS tarpit FROM hits WHERE at > ?`,
        at - MINUTE_MS,
        at - LEDGER_WINDOW_MS,
      )
      .one();
    return { hits1m: row.m1, hits10m: row.m10, tarpitHits: row.tarpit };
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
