import { sql } from "drizzle-orm";
import type { MetricFamily } from "../../../core/admin/metrics-text";
import type { Conn } from "./db";

type Row = Record<string, unknown>;
const rowsOf = (result: { rows: unknown[] }) => result.rows as Row[];

/** The metric families /metrics serves, from Postgres. Families without a stored source are listed as missing. */
export async function metricFamilies(
  d: Conn,
  faults: Record<string, number>,
  tarpit: { heldSeconds: number; bytes: number } | null,
): Promise<MetricFamily[]> {
  const byAction = rowsOf(await d.execute(sql`SELECT edge_action AS k, count(*)::bigint AS n FROM decisions GROUP BY 1 ORDER BY 1`));
  const byVerdict = rowsOf(await d.execute(sql`SELECT verdict AS k, count(*)::bigint AS n FROM decisions GROUP BY 1 ORDER BY 1`));
  const reasons = rowsOf(
    await d.execute(sql`
    SELECT r->>'code' AS k, count(*)::bigint AS n FROM decisions
    CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(reasons) = 'array' THEN reasons ELSE '[]'::jsonb END) AS r
    WHERE at >= now() - interval '1 hour' GROUP BY 1 ORDER BY 1`),
  );
  const [stats] = rowsOf(
    await d.execute(sql`
    SELECT (SELECT avg(extract(epoch FROM recorded_at - at)) FROM decisions WHERE recorded_at >= now() - interval '5 minutes') AS lag,
           (SELECT extract(epoch FROM max(recorded_at)) FROM decisions) AS last,
           (SELECT model_version FROM decisions WHERE model_version IS NOT NULL ORDER BY id DESC LIMIT 1) AS model`),
  );
  const labelled = (rows: Row[], label: string) => rows.map((r) => ({ labels: { [label]: String(r.k) }, value: Number(r.n) }));
  return [
    {
      name: "edge_guard_admin_database_up",
      help: "1 when admin reached Postgres for this scrape.",
      type: "gauge",
      samples: [{ value: 1 }],
    },
    {
      name: "edge_guard_decisions_total",
      help: "Decisions recorded by escalation, by edge action.",
      type: "counter",
      samples: labelled(byAction, "action"),
    },
    {
      name: "edge_guard_verdicts_total",
      help: "Decisions recorded by escalation, by verdict.",
      type: "counter",
      samples: labelled(byVerdict, "verdict"),
    },
    {
      name: "edge_guard_reasons_last_hour",
      help: "Reason codes on decisions of the last hour.",
      type: "gauge",
      samples: labelled(reasons, "reason"),
    },
    {
      name: "edge_guard_queue_lag_seconds",
      help: "Average seconds from edge decision to escalation recording it, last 5 minutes.",
      type: "gauge",
      samples: stats?.lag === null || stats?.lag === undefined ? [] : [{ value: Number(stats.lag) }],
    },
    {
      name: "edge_guard_last_decision_timestamp_seconds",
      help: "When escalation last recorded a decision.",
      type: "gauge",
      samples: stats?.last === null || stats?.last === undefined ? [] : [{ value: Number(stats.last) }],
    },
    {
      name: "edge_guard_model_info",
      help: "The model version on the latest scored decision.",
      type: "gauge",
      samples: typeof stats?.model === "string" ? [{ labels: { version: stats.model }, value: 1 }] : [],
    },
    {
      name: "edge_guard_faults_total",
      help: "Faults edge-guard failed open on, by kind (isolates that reported in the last day).",
      type: "counter",
      samples: Object.entries(faults).map(([kind, n]) => ({ labels: { kind }, value: n })),
    },
    {
      name: "edge_guard_tarpit_held_seconds_last_day",
      help: "Seconds the tarpit held clients, last 24 h.",
      type: "gauge",
      samples: tarpit === null ? [] : [{ value: tarpit.heldSeconds }],
      ...(tarpit === null ? { missing: "tarpit unreachable" } : {}),
    },
    {
      name: "edge_guard_tarpit_bytes_last_day",
      help: "Bytes the tarpit sent, last 24 h.",
      type: "gauge",
      samples: tarpit === null ? [] : [{ value: tarpit.bytes }],
      ...(tarpit === null ? { missing: "tarpit unreachable" } : {}),
    },
  ];
}
