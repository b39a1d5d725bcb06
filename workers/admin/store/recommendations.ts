import { and, eq, gte, sql } from "drizzle-orm";
import { z } from "zod";
import { decisions } from "../../../adapters/db/schema";
import type { StoredDecision } from "../../../core/admin/policy-dry-run";
import { sampleLabel, SAMPLE_LABEL_LOOKBACK_MS, type LabelAnchor } from "../../../core/policy/sample-labels";
import { DEFAULT_SITE_ID } from "../../../core/sites";
import type { Conn } from "./db";
import { storedDecisions } from "./policy";

/** At most this many labelled decisions feed one recommendation (the most recent): bounds the query and the search. */
export const MAX_LABELLED_DECISIONS = 5000;

const AnchorRowSchema = z.object({
  ip: z.string(),
  at: z.coerce.date(),
  value: z.string(),
  source: z.enum(["edge", "operator"]),
});

/** Every labelling event since `since`: labelled decisions, operators' labels of a decision, operators' labels of an IP. */
const anchorsSince = (since: Date) => sql`
  SELECT ip, at, label_value AS value, 'edge' AS source FROM decisions
   WHERE label_value IS NOT NULL AND at >= ${since.toISOString()}::timestamptz
  UNION ALL
  SELECT d.ip, d.at, o.value, 'operator' AS source FROM operator_labels o JOIN decisions d ON d.report_id = o.report_id
   WHERE d.at >= ${since.toISOString()}::timestamptz
  UNION ALL
  SELECT ip, at, value, 'operator' AS source FROM operator_labels
   WHERE report_id IS NULL AND at >= ${since.toISOString()}::timestamptz`;

/**
 * The site's decisions since `since` that a label covers (core/policy/sample-labels.ts), with that label; good bots and
 * conflicts left out.
 */
export async function labelledDecisions(
  d: Conn,
  since: Date,
  site: string = DEFAULT_SITE_ID,
): Promise<Array<{ decision: StoredDecision; label: "human" | "bot" }>> {
  const anchors: LabelAnchor[] = (await d.execute(anchorsSince(since))).rows.flatMap((raw) => {
    const row = AnchorRowSchema.safeParse(raw);
    return row.success ? [{ ...row.data, at: row.data.at.getTime() }] : [];
  });
  if (anchors.length === 0) return [];
  const lookback = sql.raw(`'${SAMPLE_LABEL_LOOKBACK_MS / 1000} seconds'::interval`);
  const covered = sql`EXISTS (SELECT 1 FROM (${anchorsSince(since)}) a
    WHERE a.ip = ${decisions.ip} AND ${decisions.at} <= a.at AND ${decisions.at} >= a.at - ${lookback})`;
  const rows = await storedDecisions(d, and(eq(decisions.site, site), gte(decisions.at, since), covered), MAX_LABELLED_DECISIONS);
  return rows.flatMap((decision) => {
    const label = sampleLabel(decision.ip, decision.at, anchors);
    return label === null ? [] : [{ decision, label }];
  });
}
