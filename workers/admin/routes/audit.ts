import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, gte, like, lt, lte, type SQL } from "drizzle-orm";
import { auditLog } from "../../../adapters/db/schema";
import { adminRouter } from "../router";
import { ERROR_RESPONSES, PageQuerySchema, json } from "../schemas";
import { db } from "../store/db";
import { securedSite } from "../auth/site-scope";

const AuditEventSchema = z
  .object({
    id: z.number().int(),
    at: z.string(),
    actor: z.string(),
    action: z.string(),
    target: z.string(),
    old: z.unknown(),
    new: z.unknown(),
  })
  .openapi("AuditEvent");

const AuditQuerySchema = PageQuerySchema.extend({
  cursor: z
    .string()
    .regex(/^\d{1,18}$/)
    .optional(),
  actor: z.string().max(200).optional().openapi({ example: "user:alice" }),
  action: z
    .string()
    .regex(/^[a-z.]+\*?$/)
    .max(64)
    .optional()
    .openapi({ description: "exact, or a prefix ending in `*` (e.g. `blocklist.*`)" }),
  target: z.string().max(200).optional().openapi({ example: "ip:203.0.113.7" }),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
});

/** The audit log: every change made through admin, newest first. */
export const auditRoutes = adminRouter().openapi(
  createRoute({
    method: "get",
    path: "/",
    summary: "Audit log: who changed what, when, old and new value",
    ...securedSite("viewer"),
    request: { query: AuditQuerySchema },
    responses: {
      200: json(z.object({ events: z.array(AuditEventSchema), nextCursor: z.string().nullable() }), "a page"),
      ...ERROR_RESPONSES,
    },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const where: (SQL | undefined)[] = [
      eq(auditLog.site, c.get("site")),
      q.actor === undefined ? undefined : eq(auditLog.actor, q.actor),
      q.action === undefined
        ? undefined
        : q.action.endsWith("*")
          ? like(auditLog.action, `${q.action.slice(0, -1)}%`)
          : eq(auditLog.action, q.action),
      q.target === undefined ? undefined : eq(auditLog.target, q.target),
      q.since === undefined ? undefined : gte(auditLog.at, new Date(q.since)),
      q.until === undefined ? undefined : lte(auditLog.at, new Date(q.until)),
      q.cursor === undefined ? undefined : lt(auditLog.id, Number(q.cursor)),
    ];
    const rows = await db(c.env, (d) =>
      d
        .select()
        .from(auditLog)
        .where(and(...where))
        .orderBy(desc(auditLog.id))
        .limit(q.limit + 1),
    );
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return c.json(
      { events: page.map((r) => ({ ...r, at: r.at.toISOString() })), nextCursor: rows.length > q.limit && last ? String(last.id) : null },
      200,
    );
  },
);
