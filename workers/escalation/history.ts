import { and, gte, inArray, lte, sql } from "drizzle-orm";
import type { Db } from "../../adapters/db/client";
import { allowedTraffic, decisions } from "../../adapters/db/schema";
import { HISTORY_MAX, HISTORY_WINDOW_MS, historyBefore, type HistoryEntry } from "../../core/client-history";
import { AllowedRequestSchema, type DecisionReport } from "../../core/report";
import { z } from "zod";

const RecentSchema = z.array(AllowedRequestSchema).catch([]);

/**
 * Each report's client history: the IP's recorded decisions and summarised allowed requests in the window (two
 * queries for the whole batch) plus
 * the batch's own earlier reports, cut by `historyBefore` exactly as training cuts it.
 */
export async function readHistories(db: Db, reports: readonly DecisionReport[]): Promise<HistoryEntry[][]> {
  const ips = [...new Set(reports.map((r) => r.ip))];
  const times = reports.map((r) => r.at);
  const from = new Date(Math.min(...times) - HISTORY_WINDOW_MS);
  const to = new Date(Math.max(...times));
  const rn = sql<number>`row_number() over (partition by ${decisions.ip} order by ${decisions.at} desc)`.as("rn");
  const recent = db
    .select({ ip: decisions.ip, id: decisions.reportId, at: decisions.at, path: decisions.path, rn })
    .from(decisions)
    .where(and(inArray(decisions.ip, ips), gte(decisions.at, from), lte(decisions.at, to)))
    .as("recent");
  // Twice the cap: the batch's oldest report may need rows that its newer reports already look past.
  const rows = await db
    .select()
    .from(recent)
    .where(lte(recent.rn, 2 * HISTORY_MAX));
  const byIp = new Map<string, HistoryEntry[]>();
  const add = (ip: string, entry: HistoryEntry) => {
    const list = byIp.get(ip);
    if (list === undefined) byIp.set(ip, [entry]);
    else list.push(entry);
  };
  for (const row of rows) add(row.ip, { id: row.id, at: row.at.getTime(), path: row.path });
  // Quiet clients' allowed requests arrive in summaries (no report each): their latest requests are the history.
  const allowed = await db
    .select({ ip: allowedTraffic.ip, summaryId: allowedTraffic.summaryId, recent: allowedTraffic.recent })
    .from(allowedTraffic)
    .where(and(inArray(allowedTraffic.ip, ips), gte(allowedTraffic.last, from), lte(allowedTraffic.first, to)));
  for (const row of allowed) {
    RecentSchema.parse(row.recent).forEach((r, i) => add(row.ip, { id: `${row.summaryId}#${i}`, at: r.at, path: r.path }));
  }
  for (const r of reports) add(r.ip, { id: r.id, at: r.at, path: r.path });
  return reports.map((r) => historyBefore(r, byIp.get(r.ip) ?? []));
}
