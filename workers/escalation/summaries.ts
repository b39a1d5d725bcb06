import type { Db } from "../../adapters/db/client";
import { DEFAULT_SITE_ID } from "../../core/sites";
import { allowedTraffic, trafficSummaries } from "../../adapters/db/schema";
import { clientPrefix } from "../../core/cidr";
import type { SummaryIntake } from "./intake";
import { logFault } from "./log";
import { pgSafe } from "./record";

/**
 * Stores summaries of allowed traffic, each in its own transaction: the summary's id goes in first with ON CONFLICT
 * DO NOTHING, and its client rows only if that row was new, so a redelivered summary adds nothing. A summary that
 * cannot be stored is retried alone. Returns how many were new and how many were redeliveries.
 */
export async function storeSummaries(
  db: Db,
  items: readonly SummaryIntake[],
): Promise<{ recorded: number; duplicates: number; retried: number }> {
  let recorded = 0;
  let duplicates = 0;
  let retried = 0;
  for (const { msg, summary } of items) {
    try {
      const fresh = await db.transaction(async (tx) => {
        const rows = await tx
          .insert(trafficSummaries)
          .values({
            id: summary.id,
            from: new Date(summary.from),
            to: new Date(summary.to),
            clients: summary.clients.length,
            requests: summary.clients.reduce((sum, c) => sum + c.requests, 0),
            evictions: summary.evictions,
          })
          .onConflictDoNothing({ target: trafficSummaries.id })
          .returning({ id: trafficSummaries.id });
        if (rows.length === 0) return false;
        await tx
          .insert(allowedTraffic)
          .values(
            summary.clients.map((c) => ({
              summaryId: summary.id,
              ip: c.ip,
              prefix: clientPrefix(c.ip),
              userAgent: pgSafe(c.userAgent),
              first: new Date(c.first),
              last: new Date(c.last),
              requests: c.requests,
              pages: c.pages,
              assets: c.assets,
              recent: pgSafe(c.recent),
              site: c.site ?? DEFAULT_SITE_ID,
            })),
          )
          .onConflictDoNothing();
        return true;
      });
      if (fresh) recorded++;
      else duplicates++;
      msg.ack();
    } catch (error) {
      logFault("escalation_summary_record_failed", error, summary.id);
      msg.retry();
      retried++;
    }
  }
  return { recorded, duplicates, retried };
}
