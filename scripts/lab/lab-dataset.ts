/**
 * What the edge and escalation really saw in a lab run, read back from Postgres: every decision report escalation
 * stored (with the history escalation scores it on: the address's earlier decisions and summarised allowed requests),
 * labelled by the lab client that sent it; and per kind, the quiet allowed requests that only reached summaries.
 */
import { z } from "zod";
import { historyBefore, type HistoryEntry } from "../../core/client-history";
import { AllowedRequestSchema, DecisionReportSchema, type DecisionReport } from "../../core/report";
import type { SqlSession } from "../../dev/markov-store";
import type { LabClient, LabKind, LabRole } from "./lab-plan";

/** One dataset line: the seed dataset's shape (`label`, `kind`, `report`, `history`), plus where it came from. */
export interface LabRow {
  readonly label: 0 | 1;
  readonly kind: LabKind;
  readonly source: "lab";
  readonly role: LabRole;
  /** The lab client (held-out splits keep a client's rows together). */
  readonly client: string;
  readonly report: DecisionReport;
  /** Earlier requests of the address: [ms before the report (≤ 0), path]. */
  readonly history: Array<[number, string]>;
  /** What escalation made of it at the time (the model then deployed, or rules). */
  readonly escalation: { readonly score: number | null; readonly verdict: string; readonly blocked: boolean };
}

/** Per kind: rows, the edge's actions on them, escalation's verdicts, and the quiet requests summaries carried. */
export interface KindSummary {
  clients: number;
  rows: number;
  edge: Record<string, number>;
  escalation: Record<string, number>;
  blocked: number;
  quietRequests: number;
  realPages: number;
}

const DecisionRow = z.object({
  report_id: z.string(),
  ip: z.string(),
  at: z.coerce.date(),
  path: z.string(),
  report: z.unknown(),
  verdict: z.string(),
  score: z.number().nullable(),
  blocked: z.boolean(),
});
const AllowedRow = z.object({ ip: z.string(), summary_id: z.string(), requests: z.number(), recent: z.unknown() });

/** How many decision and summary rows Postgres holds now (the lab waits until these stop growing). */
export async function storedCounts(session: SqlSession): Promise<number> {
  const { rows } = await session.query<{ n: string | number }>(
    "SELECT (SELECT count(*) FROM decisions) + (SELECT count(*) FROM allowed_traffic) AS n",
  );
  return Number(rows[0]?.n ?? 0);
}

/** The lab's rows and per-kind summary, for the clients in `clients` (by address). */
export async function readLabRows(
  session: SqlSession,
  clients: readonly LabClient[],
  realPages: (ips: readonly string[]) => number,
): Promise<{ rows: LabRow[]; summary: Record<string, KindSummary>; unparsed: number }> {
  const byIp = new Map(clients.flatMap((c) => c.ips.map((ip) => [ip, c] as const)));
  const decisions = (
    await session.query<unknown>("SELECT report_id, ip, at, path, report, verdict, score, blocked FROM decisions ORDER BY at, report_id")
  ).rows.map((raw) => DecisionRow.parse(raw));
  const allowed = (await session.query<unknown>("SELECT ip, summary_id, requests, recent FROM allowed_traffic")).rows.map((raw) =>
    AllowedRow.parse(raw),
  );

  const history = new Map<string, HistoryEntry[]>();
  const add = (ip: string, entry: HistoryEntry) => {
    const list = history.get(ip);
    if (list === undefined) history.set(ip, [entry]);
    else list.push(entry);
  };
  for (const d of decisions) add(d.ip, { id: d.report_id, at: d.at.getTime(), path: d.path });
  for (const a of allowed) {
    const recent = z.array(AllowedRequestSchema).catch([]).parse(a.recent);
    recent.forEach((r, i) => add(a.ip, { id: `${a.summary_id}#${i}`, at: r.at, path: r.path }));
  }

  const summary: Record<string, KindSummary> = {};
  const kindSummary = (kind: string): KindSummary =>
    (summary[kind] ??= { clients: 0, rows: 0, edge: {}, escalation: {}, blocked: 0, quietRequests: 0, realPages: 0 });
  for (const c of clients) {
    const s = kindSummary(c.kind);
    s.clients++;
    s.realPages += realPages(c.ips);
  }
  for (const a of allowed) {
    const client = byIp.get(a.ip);
    if (client !== undefined) kindSummary(client.kind).quietRequests += a.requests;
  }

  const rows: LabRow[] = [];
  let unparsed = 0;
  for (const d of decisions) {
    const client = byIp.get(d.ip);
    if (client === undefined) continue;
    const parsed = DecisionReportSchema.safeParse(typeof d.report === "string" ? JSON.parse(d.report) : d.report);
    if (!parsed.success) {
      unparsed++;
      continue;
    }
    const report = parsed.data;
    const earlier = historyBefore(report, history.get(d.ip) ?? []);
    rows.push({
      label: client.role === "bot" ? 1 : 0,
      kind: client.kind,
      source: "lab",
      role: client.role,
      client: client.id,
      report,
      history: earlier.map((h): [number, string] => [Math.min(0, h.at - report.at), h.path]),
      escalation: { score: d.score, verdict: d.verdict, blocked: d.blocked },
    });
    const s = kindSummary(client.kind);
    s.rows++;
    s.edge[report.action] = (s.edge[report.action] ?? 0) + 1;
    s.escalation[d.verdict] = (s.escalation[d.verdict] ?? 0) + 1;
    if (d.blocked) s.blocked++;
  }
  return { rows, summary, unparsed };
}
