/**
 * Turns recorded decisions and their labels into training rows. Labels come only from evidence the model did not
 * produce: events the edge, tarpit or challenge page labelled (honeypot hits, robots.txt violations, tarpit
 * hop-outs → bot; solved challenges → human; verified crawlers → good bot) and operators' labels from admin.
 * Escalation's own verdicts and scores are never read here.
 */
import { historyBefore, type HistoryEntry } from "../../core/client-history";
import type { DecisionReport, LabelKind, LabelValue } from "../../core/report";
import type { TrainingRow } from "./training-data";

/** How far before a labelling event the client's reports take its label, ms. */
export const LABEL_LOOKBACK_MS = 30 * 60_000;

/** A row of the decisions table, as training reads it. */
export interface StoredDecision {
  readonly reportId: string;
  readonly ip: string;
  readonly at: number;
  readonly path: string;
  /** The stored report; null for rows written before reports were kept. */
  readonly report: DecisionReport | null;
  readonly labelKind: LabelKind | null;
  readonly labelValue: LabelValue | null;
}

/** A row of operator_labels. */
export interface OperatorLabel {
  readonly ip: string;
  readonly reportId: string | null;
  readonly value: LabelValue;
  readonly at: number;
}

/** What labelling found, for the training log. */
export interface LabelStats {
  readonly anchors: number;
  readonly rows: number;
  readonly conflicts: number;
  /** Reports labelled good-bot: set aside (escalation never blocks a verified crawler, by rule). */
  readonly goodBots: number;
  readonly withoutReport: number;
}

interface Votes {
  readonly edge: Set<LabelValue>;
  readonly operator: Set<LabelValue>;
  kind: string;
}

/**
 * One training row per labelled report. An edge label covers the same IP's reports in the LABEL_LOOKBACK_MS
 * before the labelling event, not the event itself (a honeypot hit's own features would give the label away); an
 * operator label covers the judged report (or the IP at the label's time) and the same lookback. Operators
 * override edge labels; contradicting labels of one source drop the report.
 */
export function labelledRows(
  decisions: readonly StoredDecision[],
  operatorLabels: readonly OperatorLabel[],
): { rows: TrainingRow[]; stats: LabelStats } {
  const byIp = new Map<string, StoredDecision[]>();
  for (const d of decisions) {
    const list = byIp.get(d.ip);
    if (list === undefined) byIp.set(d.ip, [d]);
    else list.push(d);
  }
  const byId = new Map(decisions.map((d) => [d.reportId, d]));
  const votes = new Map<string, Votes>();
  const vote = (d: StoredDecision, source: "edge" | "operator", value: LabelValue, kind: string) => {
    const v = votes.get(d.reportId) ?? { edge: new Set(), operator: new Set(), kind };
    v[source].add(value);
    if (source === "operator") v.kind = kind;
    votes.set(d.reportId, v);
  };
  const cover = (ip: string, at: number, except: string | null, apply: (d: StoredDecision) => void) => {
    for (const d of byIp.get(ip) ?? []) if (d.at >= at - LABEL_LOOKBACK_MS && d.at <= at && d.reportId !== except) apply(d);
  };
  let anchors = 0;
  for (const anchor of decisions) {
    if (anchor.labelKind === null || anchor.labelValue === null) continue;
    anchors++;
    const value = anchor.labelValue;
    cover(anchor.ip, anchor.at, anchor.reportId, (d) => vote(d, "edge", value, `db:${anchor.labelKind}`));
  }
  for (const label of operatorLabels) {
    anchors++;
    const judged = label.reportId === null ? undefined : byId.get(label.reportId);
    const [ip, at] = judged === undefined ? [label.ip, label.at] : [judged.ip, judged.at];
    cover(ip, at, null, (d) => vote(d, "operator", label.value, "db:operator"));
  }

  const rows: TrainingRow[] = [];
  let conflicts = 0;
  let goodBots = 0;
  let withoutReport = 0;
  for (const [reportId, v] of votes) {
    const values = v.operator.size > 0 ? v.operator : v.edge;
    const d = byId.get(reportId);
    const [value] = values;
    if (values.size !== 1 || value === undefined) conflicts++;
    else if (value === "good-bot") goodBots++;
    else if (d?.report == null) withoutReport++;
    else {
      const history: HistoryEntry[] = historyBefore(
        d.report,
        (byIp.get(d.ip) ?? []).map((h) => ({ id: h.reportId, at: h.at, path: h.path })),
      );
      rows.push({ label: value === "bot" ? 1 : 0, kind: v.kind, group: `ip:${d.ip}`, source: "postgres", report: d.report, history });
    }
  }
  rows.sort((a, b) => a.report.at - b.report.at || (a.report.id < b.report.id ? -1 : 1));
  return { rows, stats: { anchors, rows: rows.length, conflicts, goodBots, withoutReport } };
}
