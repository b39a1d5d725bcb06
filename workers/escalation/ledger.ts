import type { Db } from "../../adapters/db/client";
import { ledgerEntries } from "../../adapters/db/schema";
import type { LedgerIntake } from "./intake";
import { logFault } from "./log";

/**
 * Writes CrawlerAccount outbox batches to `ledger_entries`, one statement per batch with ON CONFLICT DO NOTHING on
 * the entry's key: a redelivered batch (the account resent after a crash, or the Queue redelivered) writes nothing
 * twice. A batch that cannot be stored is retried alone. Returns rows written and rows already there.
 */
export async function storeLedger(
  db: Db,
  items: readonly LedgerIntake[],
): Promise<{ written: number; duplicates: number; retried: number }> {
  let written = 0;
  let duplicates = 0;
  let retried = 0;
  for (const { msg, batch } of items) {
    try {
      const rows = await db
        .insert(ledgerEntries)
        .values(batch.entries.map((e) => ({ key: e.key, account: batch.account, kind: e.kind, micros: e.micros, at: new Date(e.at) })))
        .onConflictDoNothing({ target: ledgerEntries.key })
        .returning({ key: ledgerEntries.key });
      written += rows.length;
      duplicates += batch.entries.length - rows.length;
      msg.ack();
    } catch (error) {
      logFault("escalation_ledger_record_failed", error, batch.account);
      msg.retry();
      retried++;
    }
  }
  return { written, duplicates, retried };
}
