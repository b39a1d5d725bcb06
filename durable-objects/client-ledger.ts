import { DurableObject } from "cloudflare:workers";
import { applyMigrations } from "./sqlite-migrations";

/** How long a hit counts toward a key's history. */
export const LEDGER_WINDOW_MS = 10 * 60_000;
const MINUTE_MS = 60_000;

/** What is counted per key: every request, HTML pages, subresources, tarpit pages. */
export const HIT_KINDS = ["req", "page", "asset", "tarpit"] as const;
export type HitKind = (typeof HIT_KINDS)[number];

/** Counts of one kind over the last minute and ten minutes. */
export interface KindCounts {
  readonly m1: number;
  readonly m10: number;
}
export type LedgerCounts = Readonly<Record<HitKind, KindCounts>>;

// Append-only: never edit a shipped entry; add a new one.
const MIGRATIONS: readonly string[] = [
  "CREATE TABLE hits (at INTEGER NOT NULL, tarpit INTEGER NOT NULL DEFAULT 0)",
  "CREATE INDEX hits_at ON hits (at)",
  "ALTER TABLE hits ADD COLUMN kind TEXT NOT NULL DEFAULT 'req'",
  "ALTER TABLE hits ADD COLUMN n INTEGER NOT NULL DEFAULT 1",
];

/**
 * One instance per counting key: a client IP (`ip:…`), its network prefix (`net:…`), its ASN (`asn:…`) or a
 * header fingerprint (`fp:…`). Isolates flush batched deltas here off the response path; the answer is the
 * key's counts across all isolates. Hits are forgotten on an alarm.
 */
export class ClientLedger extends DurableObject<unknown> {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    // Runs before any RPC is delivered, so methods always see the current schema.
    void ctx.blockConcurrencyWhile(async () => this.#migrate());
  }

  /** Adds counted hits at `at` (epoch ms) and returns the key's counts per kind. */
  async add(at: number, deltas: Partial<Record<HitKind, number>>): Promise<LedgerCounts> {
    const sql = this.ctx.storage.sql;
    for (const kind of HIT_KINDS) {
      const n = deltas[kind] ?? 0;
      if (n > 0) sql.exec("INSERT INTO hits (at, kind, n) VALUES (?, ?, ?)", at, kind, Math.floor(n));
    }
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(at + LEDGER_WINDOW_MS);
    return this.counts(at);
  }

  /** The key's counts per kind at `at`, without recording anything. */
  counts(at: number): LedgerCounts {
    const rows = this.ctx.storage.sql
      .exec<{ kind: string; m1: number; m10: number }>(
        "SELECT kind, coalesce(sum(CASE WHEN at > ? THEN n ELSE 0 END), 0) AS m1, coalesce(sum(n), 0) AS m10 FROM hits WHERE at > ? GROUP BY kind",
        at - MINUTE_MS,
        at - LEDGER_WINDOW_MS,
      )
      .toArray();
    const out = Object.fromEntries(HIT_KINDS.map((k) => [k, { m1: 0, m10: 0 }])) as Record<HitKind, KindCounts>;
    for (const row of rows)
      if ((HIT_KINDS as readonly string[]).includes(row.kind)) out[row.kind as HitKind] = { m1: row.m1, m10: row.m10 };
    return out;
  }

  override async alarm(): Promise<void> {
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM hits WHERE at <= ?", Date.now() - LEDGER_WINDOW_MS);
    const left = sql.exec<{ n: number }>("SELECT count(*) AS n FROM hits").one().n;
    if (left > 0) await this.ctx.storage.setAlarm(Date.now() + LEDGER_WINDOW_MS);
  }

  #migrate(): void {
    applyMigrations(this.ctx.storage, MIGRATIONS);
  }
}
