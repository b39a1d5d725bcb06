import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, lt, type SQL } from "drizzle-orm";
import { operatorLabels } from "../../../adapters/db/schema";
import { AppError } from "../../../adapters/http";
import { parseIp } from "../../../core/client-ip";
import { actorOf, principalOf } from "../auth/principal";
import { adminRouter } from "../router";
import { ERROR_RESPONSES, IdParamsSchema, NOT_FOUND, OkSchema, PageQuerySchema, json, jsonBody } from "../schemas";
import { audit } from "../store/audit";
import { db } from "../store/db";
import { securedSite } from "../auth/site-scope";

/** What an operator says about a client: the training pipeline reads these from `operator_labels`. */
export const LabelValueInputSchema = z
  .object({
    value: z.enum(["human", "bot", "good-bot"]),
    note: z.string().max(500).optional(),
  })
  .openapi("LabelInput");

export const LabelSchema = z
  .object({
    id: z.number().int(),
    ip: z.string(),
    reportId: z.string().nullable(),
    value: z.string(),
    note: z.string().nullable(),
    createdBy: z.string().nullable(),
    at: z.string(),
  })
  .openapi("Label");

const NewLabelSchema = LabelValueInputSchema.extend({
  ip: z
    .string()
    .max(45)
    .refine((ip) => parseIp(ip) !== null, "not an IP address"),
  reportId: z.string().max(64).optional(),
}).openapi("NewLabel");

const LabelsQuerySchema = PageQuerySchema.extend({
  cursor: z
    .string()
    .regex(/^\d{1,18}$/)
    .optional(),
  ip: z.string().max(45).optional(),
  value: z.enum(["human", "bot", "good-bot"]).optional(),
});

type LabelRow = typeof operatorLabels.$inferSelect;
const view = (r: LabelRow) => ({ ...r, at: r.at.toISOString() });

/** Operator labels: list, add (about an IP, optionally one decision), remove a mistaken one. */
export const labelRoutes = adminRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      summary: "Operator labels, newest first",
      ...securedSite("viewer"),
      request: { query: LabelsQuerySchema },
      responses: { 200: json(z.object({ labels: z.array(LabelSchema), nextCursor: z.string().nullable() }), "a page"), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const ip = q.ip === undefined ? undefined : (parseIp(q.ip) ?? q.ip);
      const where: (SQL | undefined)[] = [
        eq(operatorLabels.site, c.get("site")),
        ip === undefined ? undefined : eq(operatorLabels.ip, ip),
        q.value === undefined ? undefined : eq(operatorLabels.value, q.value),
        q.cursor === undefined ? undefined : lt(operatorLabels.id, Number(q.cursor)),
      ];
      const rows = await db(c.env, (d) =>
        d
          .select()
          .from(operatorLabels)
          .where(and(...where))
          .orderBy(desc(operatorLabels.id))
          .limit(q.limit + 1),
      );
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      return c.json({ labels: page.map(view), nextCursor: rows.length > q.limit && last ? String(last.id) : null }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      summary: "Label a client IP (and optionally one decision) human, bot or good-bot",
      ...securedSite("operator"),
      request: { body: jsonBody(NewLabelSchema) },
      responses: { 201: json(LabelSchema, "labelled"), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const actor = actorOf(principalOf(c));
      const input = c.req.valid("json");
      const row = await db(c.env, (d) =>
        d.transaction(async (tx) => {
          const [created] = await tx
            .insert(operatorLabels)
            .values({
              ip: parseIp(input.ip) ?? input.ip,
              reportId: input.reportId ?? null,
              value: input.value,
              note: input.note ?? null,
              createdBy: actor,
              site: c.get("site"),
            })
            .returning();
          if (created === undefined) throw new Error("insert returned no row");
          await audit(tx, { actor, action: "label.add", target: `ip:${created.ip}`, old: null, new: created, site: created.site });
          return created;
        }),
      );
      return c.json(view(row), 201);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      summary: "Remove a mistaken label",
      ...securedSite("operator"),
      request: { params: IdParamsSchema },
      responses: { 200: json(OkSchema, "removed"), 404: NOT_FOUND, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const actor = actorOf(principalOf(c));
      const id = c.req.valid("param").id;
      await db(c.env, (d) =>
        d.transaction(async (tx) => {
          const [removed] = await tx
            .delete(operatorLabels)
            .where(and(eq(operatorLabels.id, id), eq(operatorLabels.site, c.get("site"))))
            .returning();
          if (removed === undefined) throw new AppError(404, "not_found", "no label with that id");
          await audit(tx, { actor, action: "label.remove", target: `ip:${removed.ip}`, old: removed, new: null, site: removed.site });
        }),
      );
      return c.json({ ok: true as const }, 200);
    },
  );
