/**
 * Reads labelled training rows from Postgres (`npm run train:model -- --from-db`). Where it reads, like
 * scripts/train-markov.ts: DATABASE_URL (through NEON_LOCAL_PROXY when set), else the running dev stack's database
 * (it advertises itself in .state/postgres.endpoint.json), else the dev database files directly.
 */
import { existsSync, readFileSync } from "node:fs";
import { Pool, neonConfig } from "@neondatabase/serverless";
import ws from "ws";
import { z } from "zod";
import { DecisionReportSchema, LabelKindSchema, LabelValueSchema } from "../core/report";
import type { SqlSession } from "../dev/markov-store";
import { DEV_POSTGRES_DIR, endpointFileOf, openLocalDatabase } from "../dev/postgres";
import { LABEL_LOOKBACK_MS, labelledRows, type LabelStats, type OperatorLabel, type StoredDecision } from "./labelled-rows";
import { HISTORY_WINDOW_MS } from "../core/client-history";
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
export async function withTrainingDb<T>(log: (line: string) => void, fn: (session: SqlSession) => Promise<T>): Promise<T> {
  const target = resolveTarget();
  if (target === null) {
    log(`reading ${DEV_POSTGRES_DIR} directly (no DATABASE_URL, and the dev stack is not running)`);
    const pg = await openLocalDatabase(DEV_POSTGRES_DIR);
    try {
      return await fn(pg);
    } finally {
      await pg.close();
    }
  }
  neonConfig.webSocketConstructor = ws;
  if (target.neonLocalProxy) {
    const proxy = target.neonLocalProxy;
    neonConfig.wsProxy = (host, port) => `${proxy}/v2?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineConnect = false;
    neonConfig.pipelineTLS = false;
  }
  log(`reading ${target.databaseUrl.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@")}${target.neonLocalProxy ? ` via ${target.neonLocalProxy}` : ""}`);
  const pool = new Pool({ connectionString: target.databaseUrl, max: 1 });
  const client = await pool.connect();
  try {
    return await fn({ query: async <R>(text: string, params?: unknown[]) => ({ rows: (await client.query(text, params)).rows as R[] }) });
  } finally {
    client.release();
    await pool.end();
  }
}

function resolveTarget(): { readonly databaseUrl: string; readonly neonLocalProxy?: string } | null {
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) return { databaseUrl, neonLocalProxy: process.env.NEON_LOCAL_PROXY || undefined };
  const file = endpointFileOf(DEV_POSTGRES_DIR);
  if (!existsSync(file)) return null;
  const endpoint = JSON.parse(readFileSync(file, "utf8")) as { databaseUrl: string; neonLocalProxy: string; pid: number };
  try {
    process.kill(endpoint.pid, 0);
    return endpoint;
  } catch {
    return null;
  }
}
