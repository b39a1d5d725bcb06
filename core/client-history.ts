/** One earlier request of the same client (IP), as the decisions table records it. */
export interface HistoryEntry {
  /** The report id: ties on `at` are broken by it, so two reports never both count as the other's past. */
  readonly id: string;
  /** Epoch ms. */
  readonly at: number;
  readonly path: string;
}

/** How far back a client's history reaches, ms. */
export const HISTORY_WINDOW_MS = 30 * 60_000;
/** The most recent requests of a client that count. */
export const HISTORY_MAX = 50;

/**
 * The client's requests before `report`, oldest first: inside HISTORY_WINDOW_MS, at most HISTORY_MAX, never the
 * report itself (a redelivery finds its own row) and no id twice. Escalation (rows from Postgres plus its batch) and training
 * (rows of a labelled client) both call this, so a feature sees the same past in both.
 */
export function historyBefore(report: { readonly id: string; readonly at: number }, entries: Iterable<HistoryEntry>): HistoryEntry[] {
  const from = report.at - HISTORY_WINDOW_MS;
  const earlier: HistoryEntry[] = [];
  const seen = new Set<string>([report.id]); // a batch being redelivered is also in Postgres already
  for (const e of entries) {
    if (seen.has(e.id) || e.at < from || e.at > report.at) continue;
    if (e.at === report.at && e.id > report.id) continue;
    seen.add(e.id);
    earlier.push(e);
  }
  earlier.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return earlier.slice(-HISTORY_MAX);
}
