import { and, desc, eq, gte, lt, or, sql, type SQL } from "drizzle-orm";
import { crawlerAccounts, decisions, ledgerEntries } from "../../../adapters/db/schema";
import type { LedgerKind } from "../../../core/ledger-entry";
import type { Conn } from "./db";

export type AccountRow = typeof crawlerAccounts.$inferSelect;
export type LedgerRow = typeof ledgerEntries.$inferSelect;

/** Ledger rows most a CSV export holds (a month of a busy crawler fits; narrow the filters for more). */
export const LEDGER_CSV_MAX_ROWS = 50_000;

export async function findAccount(db: Conn, thumbprint: string): Promise<AccountRow | null> {
  return (await db.select().from(crawlerAccounts).where(eq(crawlerAccounts.thumbprint, thumbprint)).limit(1))[0] ?? null;
}

export async function listAccounts(db: Conn, state: string | null): Promise<AccountRow[]> {
  return db
    .select()
    .from(crawlerAccounts)
    .where(state === null ? undefined : eq(crawlerAccounts.state, state))
    .orderBy(crawlerAccounts.createdAt, crawlerAccounts.id)
    .limit(1000);
}

/** Ledger filters: an account (its id, or its thumbprint alone), a kind, `since` ≤ at < `until`, and the keyset cursor of the previous page. */
export interface LedgerFilter {
  readonly account?: string | undefined;
  readonly kind?: LedgerKind | undefined;
  readonly since?: Date | undefined;
  readonly until?: Date | undefined;
  readonly cursor?: { readonly at: Date; readonly key: string } | undefined;
}

function ledgerWhere(f: LedgerFilter): SQL | undefined {
  const where: (SQL | undefined)[] = [
    f.account === undefined
      ? undefined
      : f.account.includes(" ")
        ? eq(ledgerEntries.account, f.account)
        : sql`starts_with(${ledgerEntries.account}, ${`${f.account} `})`,
    f.kind === undefined ? undefined : eq(ledgerEntries.kind, f.kind),
    f.since === undefined ? undefined : gte(ledgerEntries.at, f.since),
    f.until === undefined ? undefined : lt(ledgerEntries.at, f.until),
    f.cursor === undefined
      ? undefined
      : or(lt(ledgerEntries.at, f.cursor.at), and(eq(ledgerEntries.at, f.cursor.at), lt(ledgerEntries.key, f.cursor.key))),
  ];
  return and(...where);
}

/** Ledger rows, newest first (`at`, then `key`: a stable order for the keyset cursor). */
export async function listLedger(db: Conn, filter: LedgerFilter, limit: number): Promise<LedgerRow[]> {
  return db.select().from(ledgerEntries).where(ledgerWhere(filter)).orderBy(desc(ledgerEntries.at), desc(ledgerEntries.key)).limit(limit);
}

/** Sums by kind over the filter: what was charged, refunded and topped up (micro-dollars), and how many charges. */
export interface LedgerTotals {
  readonly charges: number;
  readonly chargedMicros: number;
  readonly refundedMicros: number;
  readonly toppedUpMicros: number;
  /** Charged net of refunds: the site's revenue. */
  readonly netMicros: number;
}

const TOTALS = {
  charges: sql<number>`count(*) filter (where ${ledgerEntries.kind} = 'charge')`.mapWith(Number),
  chargedMicros: sql<number>`coalesce(sum(${ledgerEntries.micros}) filter (where ${ledgerEntries.kind} = 'charge'), 0)`.mapWith(Number),
  refundedMicros: sql<number>`coalesce(sum(${ledgerEntries.micros}) filter (where ${ledgerEntries.kind} = 'refund'), 0)`.mapWith(Number),
  toppedUpMicros: sql<number>`coalesce(sum(${ledgerEntries.micros}) filter (where ${ledgerEntries.kind} = 'topup'), 0)`.mapWith(Number),
};

const withNet = <T extends Omit<LedgerTotals, "netMicros">>(t: T): T & LedgerTotals => ({
  ...t,
  netMicros: t.chargedMicros - t.refundedMicros,
});

export async function ledgerTotals(db: Conn, filter: LedgerFilter): Promise<LedgerTotals> {
  const [row] = await db.select(TOTALS).from(ledgerEntries).where(ledgerWhere(filter));
  return withNet(row ?? { charges: 0, chargedMicros: 0, refundedMicros: 0, toppedUpMicros: 0 });
}

/** One calendar month (UTC) of one account: `month` is `YYYY-MM`. */
export interface MonthlyStatement extends LedgerTotals {
  readonly month: string;
}

/** An account's monthly statements (UTC months), newest first. */
export async function monthlyStatements(db: Conn, account: string): Promise<MonthlyStatement[]> {
  const month = sql<string>`to_char(date_trunc('month', ${ledgerEntries.at} at time zone 'UTC'), 'YYYY-MM')`;
  const rows = await db
    .select({ month, ...TOTALS })
    .from(ledgerEntries)
    .where(eq(ledgerEntries.account, account))
    .groupBy(month)
    .orderBy(desc(month));
  return rows.map(withNet);
}

/** Crawler requests per path in [since, until): decisions whose reasons name a crawler (the price dry run's input). */
export async function crawlerRequestsByPath(db: Conn, since: Date, until: Date): Promise<{ path: string; requests: number }[]> {
  const crawler = or(
    ...["ua-ai-crawler", "ua-declared-bot", "verified-crawler"].map(
      (code) => sql`${decisions.reasons} @> ${JSON.stringify([{ code }])}::jsonb`,
    ),
  );
  return db
    .select({ path: decisions.path, requests: sql<number>`count(*)`.mapWith(Number) })
    .from(decisions)
    .where(and(gte(decisions.at, since), lt(decisions.at, until), crawler))
    .groupBy(decisions.path)
    .orderBy(desc(sql`count(*)`))
    .limit(10_000);
}
