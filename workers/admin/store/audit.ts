import type { Conn } from "./db";
import { auditLog } from "../../../adapters/db/schema";

/** One change, as the audit log records it. */
export interface AuditRecord {
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly old: unknown;
  readonly new: unknown;
  /** The site the change was made in; absent: the default site. */
  readonly site?: string;
}

/** Appends a change to the audit log (inside the caller's transaction when it has one). */
export async function audit(db: Conn, record: AuditRecord): Promise<void> {
  await db.insert(auditLog).values({ ...record, old: record.old ?? null, new: record.new ?? null });
}

/** Appends many changes in one statement. */
export async function auditMany(db: Conn, records: readonly AuditRecord[]): Promise<void> {
  if (records.length === 0) return;
  await db.insert(auditLog).values(records.map((r) => ({ ...r, old: r.old ?? null, new: r.new ?? null })));
}
