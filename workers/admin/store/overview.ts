import { DEFAULT_SITE_ID } from "../../../core/sites";
import { sql } from "drizzle-orm";
import type { Conn } from "./db";

/** A counted key (IP, prefix, ASN, reason). */
export interface Top {
  key: string;
  count: number;
  /** For ASNs: the AS organisation the edge saw. */
  label?: string | null;
}

/** The dashboard's overview over one window. Nulls name figures whose source is not stored yet. */
export interface Overview {
  window: { since: string; until: string; bucketSeconds: number };
  /**
   * Requests per time bucket and edge action. Sources: `decisions` (every decision reported on its own) plus
   * `allowed_traffic` (quiet clients' allowed requests, exact counts from the edge's summaries, bucketed by each
   * client's last request in its summary).
   */
  requestsOverTime: { t: string; allow: number; challenge: number; tarpit: number; block: number }[];
  topBlockedIps: Top[];
  topBlockedPrefixes: Top[];
  topBlockedAsns: Top[];
  topReasons: Top[];
  challenge: { issued: number; passed: number; passRate: number | null };
  modelVersion: string | null;
  /** Seconds from an edge decision to escalation recording it, averaged over the last 5 minutes of the window. */
  queueLagSeconds: number | null;
  /** The tarpit's held seconds and bytes sent in the window (its metrics() RPC); null when unreachable. */
  tarpit: { heldSeconds: number | null; bytes: number | null };
  /** edge-guard's fail-open faults, summed over the isolates that published totals in the last day. */
  faults: { failOpen: number | null; byKind: Record<string, number> };
  missing: string[];
}

type Row = Record<string, unknown>;
const rowsOf = (result: { rows: unknown[] }) => result.rows as Row[];
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

const TOP = 10;
const BLOCKED = sql`(edge_action = 'block' OR blocked)`;

/** Runs the overview queries over decisions in [since, until]. */
export async function overview(
  d: Conn,
  since: Date,
  until: Date,
  bucketSeconds: number,
  faults: Record<string, number>,
  tarpit: { heldSeconds: number; bytes: number } | null,
  site: string = DEFAULT_SITE_ID,
): Promise<Overview> {
  const inWindow = sql`site = ${site} AND at >= ${since.toISOString()}::timestamptz AND at <= ${until.toISOString()}::timestamptz`;
  const bucket = sql.raw(`'${Math.floor(bucketSeconds)} seconds'::interval`);
  const series = rowsOf(
    await d.execute(sql`
    SELECT date_bin(${bucket}, at, 'epoch'::timestamptz) AS t, edge_action AS action, count(*)::int AS n
    FROM decisions WHERE ${inWindow} GROUP BY 1, 2
    UNION ALL
    SELECT date_bin(${bucket}, last_at, 'epoch'::timestamptz) AS t, 'allow' AS action, sum(requests)::int AS n
    FROM allowed_traffic WHERE site = ${site} AND last_at >= ${since.toISOString()}::timestamptz AND last_at <= ${until.toISOString()}::timestamptz GROUP BY 1
    ORDER BY 1`),
  );
  const top = async (expr: ReturnType<typeof sql>, extra = sql`TRUE`) =>
    rowsOf(
      await d.execute(
        sql`SELECT ${expr} AS key, count(*)::int AS n FROM decisions WHERE ${inWindow} AND ${BLOCKED} AND ${extra} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${TOP}`,
      ),
    );
  const ips = await top(sql`ip`);
  const prefixes = await top(sql`prefix`, sql`prefix IS NOT NULL`);
  const asns = rowsOf(
    await d.execute(sql`
    SELECT report->'cf'->>'asn' AS key, max(report->'cf'->>'asOrganization') AS label, count(*)::int AS n
    FROM decisions WHERE ${inWindow} AND ${BLOCKED} AND report->'cf'->>'asn' IS NOT NULL GROUP BY 1 ORDER BY 3 DESC, 1 LIMIT ${TOP}`),
  );
  const reasons = rowsOf(
    await d.execute(sql`
    SELECT r->>'code' AS key, count(*)::int AS n FROM decisions
    CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(reasons) = 'array' THEN reasons ELSE '[]'::jsonb END) AS r
    WHERE ${inWindow} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${TOP}`),
  );
  const [stats] = rowsOf(
    await d.execute(sql`
    SELECT count(*) FILTER (WHERE edge_action = 'challenge')::int AS issued,
           count(*) FILTER (WHERE label_kind = 'challenge-solved')::int AS passed,
           (SELECT model_version FROM decisions WHERE model_version IS NOT NULL ORDER BY id DESC LIMIT 1) AS model,
           (SELECT avg(extract(epoch FROM recorded_at - at)) FROM decisions
              WHERE site = ${site} AND at >= ${until.toISOString()}::timestamptz - interval '5 minutes' AND at <= ${until.toISOString()}::timestamptz) AS lag
    FROM decisions WHERE ${inWindow}`),
  );
  const buckets = new Map<string, Overview["requestsOverTime"][number]>();
  for (const r of series) {
    const t = new Date(String(r.t)).toISOString();
    const b = buckets.get(t) ?? { t, allow: 0, challenge: 0, tarpit: 0, block: 0 };
    const action = String(r.action);
    if (action === "allow" || action === "challenge" || action === "tarpit" || action === "block") b[action] += num(r.n);
    buckets.set(t, b);
  }
  const issued = num(stats?.issued);
  const passed = num(stats?.passed);
  const toTop = (rows: Row[]): Top[] =>
    rows.map((r) => ({
      key: String(r.key),
      count: num(r.n),
      ...("label" in r ? { label: r.label === null ? null : String(r.label) } : {}),
    }));
  return {
    window: { since: since.toISOString(), until: until.toISOString(), bucketSeconds },
    requestsOverTime: [...buckets.values()],
    topBlockedIps: toTop(ips),
    topBlockedPrefixes: toTop(prefixes),
    topBlockedAsns: toTop(asns),
    topReasons: toTop(reasons),
    challenge: { issued, passed, passRate: issued > 0 ? passed / issued : null },
    modelVersion: typeof stats?.model === "string" ? stats.model : null,
    queueLagSeconds: stats?.lag === null || stats?.lag === undefined ? null : Number(stats.lag),
    tarpit: tarpit ?? { heldSeconds: null, bytes: null },
    faults: { failOpen: Object.values(faults).reduce((a, b) => a + b, 0), byKind: faults },
    missing: tarpit === null ? ["tarpit.heldSeconds", "tarpit.bytes"] : [],
  };
}

/** Requests and blocks per site in [since, until]: the all-sites overview for admins. */
export async function siteTotals(d: Conn, since: Date, until: Date): Promise<{ site: string; requests: number; blocked: number }[]> {
  const from = since.toISOString();
  const to = until.toISOString();
  const rows = rowsOf(
    await d.execute(sql`
    SELECT site, sum(requests)::int AS requests, sum(blocked)::int AS blocked FROM (
      SELECT site, count(*)::int AS requests, count(*) FILTER (WHERE ${BLOCKED})::int AS blocked FROM decisions
        WHERE at >= ${from}::timestamptz AND at <= ${to}::timestamptz GROUP BY site
      UNION ALL
      SELECT site, sum(requests)::int AS requests, 0 AS blocked FROM allowed_traffic
        WHERE last_at >= ${from}::timestamptz AND last_at <= ${to}::timestamptz GROUP BY site
    ) t GROUP BY site ORDER BY site`),
  );
  return rows.map((r) => ({ site: String(r.site), requests: num(r.requests), blocked: num(r.blocked) }));
}
