/**
 * Reads labelled training rows from Postgres (`npm run train:model -- --from-db`). Where it reads, like
 * scripts/model/train-markov.ts: DATABASE_URL (through NEON_LOCAL_PROXY when set), else the running dev stack's database
 * (it advertises itself in .state/postgres.endpoint.json), else the dev database files directly.
 */
import { z } from "zod";
import { DecisionReportSchema, LabelKindSchema, LabelValueSchema } from "../../core/report";
import type { SqlSession } from "../../dev/markov-store";
import { withPostgresSession } from "../../dev/postgres-session";
import { LABEL_LOOKBACK_MS, labelledRows, type LabelStats, type OperatorLabel, type StoredDecision } from "./labelled-rows";
import { HISTORY_WINDOW_MS } from "../../core/client-history";
import type { TrainingRow } from "./training-data";

// Every report of an IP from one lookback plus one history window before each labelling event up to the event.
const DECISIONS_SQL = `
  WITH anchors AS (
    SELECT ip, at FROM decisions WHERE label_kind IS NOT NULL
    UNION ALL SELECT d.ip, d.at FROM operator_labels o JOIN decisions d ON d.report_id = o.report_id
    UNION ALL SELECT ip, at FROM operator_labels WHERE report_id IS NULL
  )
  SELECT d.report_id, d.ip, d.at, d.path, d.report, d.label_kind, d.label_value
    FROM decisions d
   WHERE EXISTS (SELECT 1 FROM anchors a WHERE a.ip = d.ip AND d.at >= a.at - make_interval(secs => $1) AND d.at <= a.at)
   ORDER BY d.ip, d.at, d.report_id`;

const DecisionRowSchema = z.object({
  report_id: z.string(),
  ip: z.string(),
  at: z.coerce.date(),
  path: z.string(),
  report: z.unknown(),
  label_kind: LabelKindSchema.nullable().catch(null),
  label_value: LabelValueSchema.nullable().catch(null),
});
const OperatorRowSchema = z.object({ ip: z.string(), report_id: z.string().nullable(), value: LabelValueSchema, at: z.coerce.date() });

/** Labelled rows and what labelling found, from one session. */
export async function readLabelledRows(session: SqlSession): Promise<{ rows: TrainingRow[]; stats: LabelStats }> {
  const windowSeconds = (LABEL_LOOKBACK_MS + HISTORY_WINDOW_MS) / 1000;
  const decisions: StoredDecision[] = (await session.query<unknown>(DECISIONS_SQL, [windowSeconds])).rows.map((raw) => {
    const row = DecisionRowSchema.parse(raw);
    const report = DecisionReportSchema.safeParse(typeof row.report === "string" ? JSON.parse(row.report) : row.report);
    return {
      reportId: row.report_id,
      ip: row.ip,
      at: row.at.getTime(),
      path: row.path,
      report: report.success ? report.data : null,
      labelKind: row.label_kind,
      labelValue: row.label_value,
    };
  });
  const labels = await session.query<unknown>("SELECT ip, report_id, value, at FROM operator_labels ORDER BY at");
  const operatorLabels: OperatorLabel[] = labels.rows.flatMap((raw) => {
    const row = OperatorRowSchema.safeParse(raw);
    return row.success ? [{ ip: row.data.ip, reportId: row.data.report_id, value: row.data.value, at: row.data.at.getTime() }] : [];
  });
  return labelledRows(decisions, operatorLabels);
}

/** Runs `fn` with a session on the configured database (see the file comment); says where it reads. */
export function withTrainingDb<T>(log: (line: string) => void, fn: (session: SqlSession) => Promise<T>): Promise<T> {
  return withPostgresSession("reading", log, fn);
}
