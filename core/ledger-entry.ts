import { z } from "zod";
import { MicrosSchema } from "./crawler-account";

/** What moved money: a charge for a request, its refund (the origin failed), or a top-up of a prepaid balance. */
export const LedgerKindSchema = z.enum(["charge", "refund", "topup"]);
export type LedgerKind = z.infer<typeof LedgerKindSchema>;

/**
 * One ledger row as it leaves a CrawlerAccount's outbox. `key` is its idempotency key (a charge: the hash of the
 * signed request; a refund: `refund:` + that hash; a top-up: the gateway's event id), so redelivery writes it once.
 * `micros` is always positive; `kind` gives the sign.
 */
export const LedgerEntrySchema = z.strictObject({
  key: z.string().min(8).max(200),
  kind: LedgerKindSchema,
  micros: MicrosSchema,
  at: z.int().positive(),
});
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;

/** Entries per Queue message (a message stays far below the 128 KB limit: about 300 bytes an entry). */
export const LEDGER_BATCH_MAX = 100;
/** How long ledger rows wait in an account's outbox, so a busy crawler's charges leave in one message rather than one each. */
export const OUTBOX_FLUSH_DELAY_MS = 5_000;

/** A CrawlerAccount's outbox flush, one Queue message on the reports queue (v3), written to Postgres by escalation. */
export const LedgerBatchSchema = z.strictObject({
  v: z.literal(3),
  kind: z.literal("ledger"),
  account: z.string().min(3).max(300),
  entries: z.array(LedgerEntrySchema).min(1).max(LEDGER_BATCH_MAX),
});
export type LedgerBatch = z.infer<typeof LedgerBatchSchema>;
