import { siteKeys } from "../../../core/kv-keys";
import { DEFAULT_SITE_ID } from "../../../core/sites";
import { and, desc, eq, gte, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { decisions, policyVersions } from "../../../adapters/db/schema";
import { KvWriter } from "../../../adapters/kv";
import type { StoredDecision } from "../../../core/admin/policy-dry-run";
import { CfFactsSchema, ReasonSchema } from "../../../core/report";
import defaultPolicy from "../../../policies/default.json";
import { unsavedSitePolicy } from "../../../core/policy/site-default";
import type { AdminEnv } from "../env";
import { audit } from "./audit";
import { db, type Conn } from "./db";
import { kv, parseJson } from "./kv";

/** A site's active policy document and where it came from: KV, or the bundled default when the site has none (`unsavedSitePolicy`). */
export async function readPolicy(
  ns: KVNamespace,
  site: string = DEFAULT_SITE_ID,
): Promise<{ document: unknown; source: "kv" | "default" }> {
  const raw = await kv(() => ns.get(siteKeys(site).policy));
  return raw === null
    ? { document: unsavedSitePolicy(site, defaultPolicy), source: "default" }
    : { document: parseJson(raw), source: "kv" };
}

/**
 * Activates a policy (already validated by compilePolicy): KV for the edge, a row in policy_versions for history,
 * and the audit row, the last two in one transaction. The edge picks it up within its refresh interval (30 s).
 */
export async function writePolicy(
  env: AdminEnv,
  actor: string,
  action: string,
  document: unknown,
  note: string | null,
  site: string = DEFAULT_SITE_ID,
): Promise<void> {
  const { document: old } = await readPolicy(env.BLOCKLIST, site);
  const key = siteKeys(site).policy;
  await kv(() =>
    new KvWriter(env.BLOCKLIST, "admin").putDocument(key, JSON.stringify(document), `policy by ${actor}`.slice(0, 200), {
      ttlSeconds: null,
      now: Date.now(),
    }),
  );
  await db(env, (d) =>
    d.transaction(async (tx) => {
      await tx.insert(policyVersions).values({ actor, policy: document, note, site });
      await audit(tx, { actor, action, target: key, old, new: document, site });
    }),
  );
}

/** A site's activated policies, newest first. */
export async function policyHistory(d: Conn, limit: number, site: string = DEFAULT_SITE_ID) {
  return d.select().from(policyVersions).where(eq(policyVersions.site, site)).orderBy(desc(policyVersions.id)).limit(limit);
}

const StoredReportSchema = z.object({
  headers: z
    .record(z.string(), z.string())
    .nullable()
    .catch({})
    .transform((h) => h ?? {}),
  cf: CfFactsSchema.nullable()
    .catch({})
    .transform((cf) => cf ?? {}),
});

/** The most recent decisions (since `since`, at most `limit`) in the shape the dry run re-evaluates. */
export async function recentDecisions(
  d: Conn,
  limit: number,
  since: Date | null,
  site: string = DEFAULT_SITE_ID,
): Promise<StoredDecision[]> {
  return storedDecisions(d, and(eq(decisions.site, site), since === null ? undefined : gte(decisions.at, since)), limit);
}

/** The most recent decisions matching `where` (at most `limit`), in the shape the dry run re-evaluates. */
export async function storedDecisions(d: Conn, where: SQL | undefined, limit: number): Promise<StoredDecision[]> {
  const rows = await d
    .select({
      id: decisions.id,
      at: decisions.at,
      ip: decisions.ip,
      method: decisions.method,
      path: decisions.path,
      userAgent: decisions.userAgent,
      reasons: decisions.reasons,
      edgeAction: decisions.edgeAction,
      // Only the parts a policy reads: the whole report would carry every header of thousands of rows.
      report: sql<unknown>`jsonb_build_object('headers', ${decisions.report}->'headers', 'cf', ${decisions.report}->'cf')`,
    })
    .from(decisions)
    .where(where)
    .orderBy(desc(decisions.id))
    .limit(limit);
  return rows.map((r) => {
    const report = StoredReportSchema.catch({ headers: {}, cf: {} }).parse(r.report ?? {});
    return {
      id: r.id,
      at: r.at.getTime(),
      ip: r.ip,
      method: r.method,
      path: r.path,
      userAgent: r.userAgent,
      headers: report.headers,
      cf: report.cf,
      reasons: z.array(ReasonSchema).catch([]).parse(r.reasons),
      recordedAction: r.edgeAction,
    };
  });
}
