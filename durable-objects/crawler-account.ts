import { DurableObject } from "cloudflare:workers";
import { IMPLICIT_TERMS, checkCharge, type AccountSettings, type AccountState, type AccountTerms } from "../core/crawler-account";
import { LEDGER_BATCH_MAX, OUTBOX_FLUSH_DELAY_MS, type LedgerBatch, type LedgerEntry, type LedgerKind } from "../core/ledger-entry";
import { applyMigrations } from "./sqlite-migrations";

// Append-only: never edit a shipped entry; add a new one.
const MIGRATIONS: readonly string[] = [
  "CREATE TABLE charges (key TEXT PRIMARY KEY, micros INTEGER NOT NULL, at INTEGER NOT NULL, refunded INTEGER NOT NULL DEFAULT 0)",
  // One row, absent until the operator (or a self-registration) sets the account up: absent means IMPLICIT_TERMS.
  "CREATE TABLE account (id INTEGER PRIMARY KEY CHECK (id = 1), name TEXT NOT NULL, state TEXT NOT NULL, prepaid INTEGER NOT NULL, balance INTEGER NOT NULL DEFAULT 0 CHECK (balance >= 0), price INTEGER, cap INTEGER)",
  // Ledger rows not yet handed to the reports queue; written in the same transaction as the change they record.
  "CREATE TABLE outbox (key TEXT PRIMARY KEY, kind TEXT NOT NULL, micros INTEGER NOT NULL, at INTEGER NOT NULL)",
  // Top-ups credited so far, by the gateway's event id: a replayed webhook credits once.
  "CREATE TABLE topups (key TEXT PRIMARY KEY, micros INTEGER NOT NULL, at INTEGER NOT NULL)",
];

/** After a failed flush (the queue unreachable), the next try. Nothing is lost meanwhile: rows stay in the outbox. */
export const OUTBOX_RETRY_MS = 30_000;

/**
 * What one charge did: charged now; already charged for this key earlier (a retry); or refused: the account is
 * not active (`forbidden`: the edge answers 403 CrawlerForbidden), its own rate is above what the crawler agreed
 * (`over-price`), a spend cap (`over-cap`), or a prepaid balance too low (`insufficient-funds`).
 */
export type ChargeOutcome =
  | { readonly status: "charged" | "duplicate"; readonly micros: number }
  | { readonly status: "over-cap"; readonly spentMicros: number }
  | { readonly status: "forbidden"; readonly state: AccountState }
  | { readonly status: "over-price"; readonly priceMicros: number }
  | { readonly status: "insufficient-funds"; readonly balanceMicros: number };

/** A top-up: credited now, or not (`known` false: no such account; true: this key was credited before). */
export interface TopUpOutcome {
  readonly credited: boolean;
  readonly balanceMicros: number;
  readonly known: boolean;
}

/** Charges so far: how many, and their sum net of refunds (micro-dollars). */
export interface AccountTotals {
  readonly charges: number;
  readonly spentMicros: number;
}

/** An account as admin shows it: its terms, whether the operator set it up, what it spent, what waits in the outbox. */
export interface AccountView extends AccountTerms, AccountTotals {
  readonly configured: boolean;
  readonly outbox: number;
}

/** The bindings the account uses: the reports queue its outbox flushes to (escalation writes Postgres). */
export interface CrawlerAccountEnv {
  readonly REPORTS: Queue<LedgerBatch>;
}

type AccountRow = {
  name: string;
  state: string;
  prepaid: number;
  balance: number;
  price: number | null;
  cap: number | null;
};

/**
 * One instance per paying crawler (its Web Bot Auth key thumbprint and directory origin): the edge's reserve-and-settle
 * point. Every charge is keyed by what identifies the signed request, so a retried or replayed request is charged
 * once; a DO runs one call at a time and each call below is synchronous SQL, so concurrent charges never overdraw a
 * prepaid balance. Each change writes its ledger row to an outbox in the same transaction; an alarm hands the outbox
 * to the reports queue and deletes only what the queue accepted, so a crash loses nothing (a resend is a duplicate
 * Postgres ignores).
 */
export class CrawlerAccount extends DurableObject<CrawlerAccountEnv> {
  constructor(ctx: DurableObjectState, env: CrawlerAccountEnv) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => applyMigrations(ctx.storage, MIGRATIONS));
  }

  /**
   * Charges `micros` (the price the crawler agreed to) once for `key` at `at` (epoch ms), within the policy's
   * `capMicros` and the account's own terms. RPC name and arguments are the edge's contract: keep them.
   */
  async charge(key: string, micros: number, capMicros: number | null, at: number): Promise<ChargeOutcome> {
    const sql = this.ctx.storage.sql;
    const earlier = sql.exec<{ micros: number }>("SELECT micros FROM charges WHERE key = ?", key).toArray()[0];
    if (earlier !== undefined) return { status: "duplicate", micros: earlier.micros };
    const row = this.#row();
    const check = checkCharge(row === null ? IMPLICIT_TERMS : terms(row), micros, this.#totals().spentMicros, capMicros);
    if (!check.ok) {
      const { ok: _, ...refused } = check;
      return refused;
    }
    this.ctx.storage.transactionSync(() => {
      sql.exec("INSERT INTO charges (key, micros, at) VALUES (?, ?, ?)", key, check.micros, at);
      if (row !== null && row.prepaid === 1) sql.exec("UPDATE account SET balance = balance - ? WHERE id = 1", check.micros);
      this.#enqueue(key, "charge", check.micros, at);
    });
    await this.#scheduleFlush(at);
    return { status: "charged", micros: check.micros };
  }

  /** Refunds the charge for `key` (the origin failed to deliver); false when there is none or it was refunded. */
  async refund(key: string, at: number = Date.now()): Promise<boolean> {
    const sql = this.ctx.storage.sql;
    const charged = sql.exec<{ micros: number }>("SELECT micros FROM charges WHERE key = ? AND refunded = 0", key).toArray()[0];
    if (charged === undefined) return false;
    this.ctx.storage.transactionSync(() => {
      sql.exec("UPDATE charges SET refunded = 1 WHERE key = ?", key);
      if (this.#row()?.prepaid === 1) sql.exec("UPDATE account SET balance = balance + ? WHERE id = 1", charged.micros);
      this.#enqueue(`refund:${key}`, "refund", charged.micros, at);
    });
    await this.#scheduleFlush(at);
    return true;
  }

  /**
   * Credits a prepaid top-up of `micros` once per `key` (the payment's event id). false: already credited, or the
   * account does not exist (a top-up never creates an account).
   */
  async topUp(key: string, micros: number, at: number): Promise<TopUpOutcome> {
    const sql = this.ctx.storage.sql;
    const row = this.#row();
    if (row === null) return { credited: false, balanceMicros: 0, known: false };
    const credited = this.ctx.storage.transactionSync(() => {
      if (sql.exec("INSERT OR IGNORE INTO topups (key, micros, at) VALUES (?, ?, ?)", key, micros, at).rowsWritten === 0) return false;
      sql.exec("UPDATE account SET balance = balance + ? WHERE id = 1", micros);
      this.#enqueue(key, "topup", micros, at);
      return true;
    });
    if (credited) await this.#scheduleFlush(at);
    return { credited, balanceMicros: this.#row()?.balance ?? 0, known: true };
  }

  /**
   * Creates or changes the account `name` (its id, `thumbprint directory`). A new account starts `pending`,
   * postpaid, with no override; `settings` changes only what it names.
   */
  async configure(name: string, settings: AccountSettings): Promise<AccountView> {
    const sql = this.ctx.storage.sql;
    if (this.#row() === null) sql.exec("INSERT INTO account (id, name, state, prepaid) VALUES (1, ?, 'pending', 0)", name);
    if (settings.state !== undefined) sql.exec("UPDATE account SET state = ? WHERE id = 1", settings.state);
    if (settings.prepaid !== undefined) sql.exec("UPDATE account SET prepaid = ? WHERE id = 1", settings.prepaid ? 1 : 0);
    if (settings.priceMicros !== undefined) sql.exec("UPDATE account SET price = ? WHERE id = 1", settings.priceMicros);
    if (settings.capMicros !== undefined) sql.exec("UPDATE account SET cap = ? WHERE id = 1", settings.capMicros);
    return this.#view();
  }

  /** The account's terms, totals and outbox size. */
  async view(): Promise<AccountView> {
    return this.#view();
  }

  async totals(): Promise<AccountTotals> {
    return this.#totals();
  }

  /** Hands the outbox to the reports queue in batches; what the queue accepted is deleted, the rest retried later. */
  override async alarm(): Promise<void> {
    const sql = this.ctx.storage.sql;
    const name = this.#row()?.name ?? this.ctx.id.name ?? null;
    if (name === null) return; // unreachable: an outbox row is only written by a named account's charge
    for (;;) {
      const entries = sql
        .exec<LedgerEntry>("SELECT key, kind, micros, at FROM outbox ORDER BY at, key LIMIT ?", LEDGER_BATCH_MAX)
        .toArray();
      if (entries.length === 0) return;
      try {
        await this.env.REPORTS.send({ v: 3, kind: "ledger", account: name, entries: entries.map((e) => ({ ...e })) });
      } catch (error) {
        console.error(
          JSON.stringify({ code: "crawler_account_flush_failed", account: name, pending: entries.length, message: String(error) }),
        );
        await this.ctx.storage.setAlarm(Date.now() + OUTBOX_RETRY_MS);
        return;
      }
      this.ctx.storage.transactionSync(() => {
        for (const entry of entries) sql.exec("DELETE FROM outbox WHERE key = ?", entry.key);
      });
    }
  }

  #enqueue(key: string, kind: LedgerKind, micros: number, at: number): void {
    this.ctx.storage.sql.exec("INSERT OR IGNORE INTO outbox (key, kind, micros, at) VALUES (?, ?, ?, ?)", key, kind, micros, at);
  }

  async #scheduleFlush(at: number): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Math.max(at, Date.now()) + OUTBOX_FLUSH_DELAY_MS);
  }

  #row(): AccountRow | null {
    return (
      this.ctx.storage.sql.exec<AccountRow>("SELECT name, state, prepaid, balance, price, cap FROM account WHERE id = 1").toArray()[0] ??
      null
    );
  }

  #view(): AccountView {
    const row = this.#row();
    const outbox = this.ctx.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n;
    return { ...(row === null ? IMPLICIT_TERMS : terms(row)), ...this.#totals(), configured: row !== null, outbox };
  }

  #totals(): AccountTotals {
    return this.ctx.storage.sql
      .exec<{ charges: number; spentMicros: number }>(
        "SELECT count(*) AS charges, coalesce(sum(micros), 0) AS spentMicros FROM charges WHERE refunded = 0",
      )
      .one();
  }
}

function terms(row: AccountRow): AccountTerms {
  const state: AccountState = row.state === "active" || row.state === "suspended" ? row.state : "pending";
  return { state, prepaid: row.prepaid === 1, balanceMicros: row.balance, priceMicros: row.price, capMicros: row.cap };
}
