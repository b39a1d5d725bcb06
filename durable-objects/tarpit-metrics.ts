import { DurableObject } from "cloudflare:workers";
import { addCounters, emptyCounters, type TarpitCounters } from "../core/tarpit-metrics";
import { applyMigrations } from "./sqlite-migrations";

/** Minutes of counters kept. */
export const METRICS_RETENTION_MS = 14 * 24 * 3600_000;

/** The counters of one minute, summed over every isolate that flushed into it. */
export interface MinuteCounters {
  readonly minute: number;
  readonly counters: TarpitCounters;
}

// Append-only: never edit a shipped entry; add a new one. Counters are JSON, so a new counter needs no migration.
const MIGRATIONS: readonly string[] = ["CREATE TABLE minutes (minute INTEGER PRIMARY KEY, counters TEXT NOT NULL)"];

/**
 * The tarpit's counters, one instance for the whole deployment (name "global"). Each isolate adds what it
 * counted at the end of each invocation (a slow stream's when it ends), off the response path; admin reads them through the tarpit.
 */
export class TarpitMetrics extends DurableObject<unknown> {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => this.#migrate());
  }

  /** Adds an isolate's counts into the minute starting at `minute` (epoch ms). */
  async add(minute: number, delta: Partial<TarpitCounters>): Promise<void> {
    const sql = this.ctx.storage.sql;
    // No await between the read and the write: a Durable Object runs them without interleaving.
    const row = sql.exec<{ counters: string }>("SELECT counters FROM minutes WHERE minute = ?", minute).toArray()[0];
    const counters = addCounters(
      row === undefined ? emptyCounters() : addCounters(emptyCounters(), JSON.parse(row.counters) as Partial<TarpitCounters>),
      delta,
    );
    sql.exec("INSERT OR REPLACE INTO minutes (minute, counters) VALUES (?, ?)", minute, JSON.stringify(counters));
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + 24 * 3600_000);
  }

  /** The minutes from `since` (epoch ms) on, oldest first. */
  async read(since: number): Promise<MinuteCounters[]> {
    return this.ctx.storage.sql
      .exec<{ minute: number; counters: string }>("SELECT minute, counters FROM minutes WHERE minute >= ? ORDER BY minute", since)
      .toArray()
      .map((row) => ({ minute: row.minute, counters: addCounters(emptyCounters(), JSON.parse(row.counters) as Partial<TarpitCounters>) }));
  }

  override async alarm(): Promise<void> {
    this.ctx.storage.sql.exec("DELETE FROM minutes WHERE minute < ?", Date.now() - METRICS_RETENTION_MS);
    await this.ctx.storage.setAlarm(Date.now() + 24 * 3600_000);
  }

  #migrate(): void {
    applyMigrations(this.ctx.storage, MIGRATIONS);
  }
}
