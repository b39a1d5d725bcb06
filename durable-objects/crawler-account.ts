import { DurableObject } from "cloudflare:workers";
import { applyMigrations } from "./sqlite-migrations";

// Append-only: never edit a shipped entry; add a new one.
const MIGRATIONS: readonly string[] = [
  "CREATE TABLE charges (key TEXT PRIMARY KEY, micros INTEGER NOT NULL, at INTEGER NOT NULL, refunded INTEGER NOT NULL DEFAULT 0)",
];

/** What one charge did: charged now, already charged for this key earlier (a retry), or refused by the spend cap. */
export type ChargeOutcome =
  { readonly status: "charged" | "duplicate"; readonly micros: number } | { readonly status: "over-cap"; readonly spentMicros: number };

/** Charges so far: how many, and their sum net of refunds (micro-dollars). */
export interface AccountTotals {
  readonly charges: number;
  readonly spentMicros: number;
}

/**
 * One instance per paying crawler (its Web Bot Auth key thumbprint and directory origin). Every charge is keyed by
 * what identifies the signed request, so a retried or replayed request is charged once; a DO runs one call at a time,
 * and each call below is synchronous SQL, so twenty concurrent retries still make one row.
 * The Postgres ledger is fed from here later (off the response path); this is the edge's reserve-and-settle point.
 */
export class CrawlerAccount extends DurableObject<unknown> {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => applyMigrations(ctx.storage, MIGRATIONS));
  }

  /** Charges `micros` once for `key` at `at` (epoch ms), unless that would take the account past `capMicros`. */
  async charge(key: string, micros: number, capMicros: number | null, at: number): Promise<ChargeOutcome> {
    const sql = this.ctx.storage.sql;
    const earlier = sql.exec<{ micros: number }>("SELECT micros FROM charges WHERE key = ?", key).toArray()[0];
    if (earlier !== undefined) return { status: "duplicate", micros: earlier.micros };
    if (capMicros !== null) {
      const spentMicros = this.#totals().spentMicros;
      if (spentMicros + micros > capMicros) return { status: "over-cap", spentMicros };
    }
    sql.exec("INSERT INTO charges (key, micros, at) VALUES (?, ?, ?)", key, micros, at);
    return { status: "charged", micros };
  }

  /** Refunds the charge for `key` (the origin failed to deliver); false when there is none or it was refunded. */
  async refund(key: string): Promise<boolean> {
    return this.ctx.storage.sql.exec("UPDATE charges SET refunded = 1 WHERE key = ? AND refunded = 0", key).rowsWritten > 0;
  }

  async totals(): Promise<AccountTotals> {
    return this.#totals();
  }

  #totals(): AccountTotals {
    return this.ctx.storage.sql
      .exec<{ charges: number; spentMicros: number }>(
        "SELECT count(*) AS charges, coalesce(sum(micros), 0) AS spentMicros FROM charges WHERE refunded = 0",
      )
      .one();
  }
}
