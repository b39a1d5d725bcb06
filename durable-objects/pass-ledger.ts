import { DurableObject } from "cloudflare:workers";
import type { PassPageCounts } from "../core/pass-budget";
import { applyMigrations } from "./sqlite-migrations";

/** Events are kept this long: the longest budget window. */
export const PASS_HISTORY_MS = 60 * 60_000;
const MINUTE_MS = 60_000;

// Append-only: never edit a shipped entry; add a new one.
const MIGRATIONS: readonly string[] = [
  "CREATE TABLE events (at INTEGER NOT NULL, kind TEXT NOT NULL)",
  "CREATE INDEX events_kind_at ON events (kind, at)",
];

/**
 * One instance per key: a pass binding (`pass:<binding>`: pages read under passes of one network prefix and
 * User-Agent), or a no-JS issuing budget (`nojs-group:<group>`, `nojs-net:<prefix>`). Exact across isolates, so a
 * pass budget holds wherever the holder's requests land. Only pass holders and challenge solvers reach it.
 */
export class PassLedger extends DurableObject<unknown> {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => applyMigrations(ctx.storage, MIGRATIONS));
  }

  /** Counts one page read at `at` (epoch ms) and returns the pages of the last minute, ten minutes and hour. */
  async page(at: number): Promise<PassPageCounts> {
    await this.#record(at, "page");
    return this.#pages(at);
  }

  /** Records one issue at `at` if fewer than `perHour` happened in the last hour; false (nothing recorded) otherwise. */
  async issue(at: number, perHour: number): Promise<boolean> {
    const n = this.ctx.storage.sql
      .exec<{ n: number }>("SELECT count(*) AS n FROM events WHERE kind = 'issue' AND at > ?", at - PASS_HISTORY_MS)
      .one().n;
    if (n >= perHour) return false;
    await this.#record(at, "issue");
    return true;
  }

  override async alarm(): Promise<void> {
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM events WHERE at <= ?", Date.now() - PASS_HISTORY_MS);
    if (sql.exec<{ n: number }>("SELECT count(*) AS n FROM events").one().n > 0)
      await this.ctx.storage.setAlarm(Date.now() + PASS_HISTORY_MS);
  }

  async #record(at: number, kind: "page" | "issue"): Promise<void> {
    this.ctx.storage.sql.exec("INSERT INTO events (at, kind) VALUES (?, ?)", at, kind);
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(at + PASS_HISTORY_MS);
  }

  #pages(at: number): PassPageCounts {
    return this.ctx.storage.sql
      .exec<{ m1: number; m10: number; h1: number }>(
        `SELECT coalesce(sum(at > ?), 0) AS m1, coalesce(sum(at > ?), 0) AS m10, count(*) AS h1 FROM events WHERE kind = 'page' AND at > ?`,
        at - MINUTE_MS,
        at - 10 * MINUTE_MS,
        at - PASS_HISTORY_MS,
      )
      .one();
  }
}
