import { createRoute, z } from "@hono/zod-openapi";
import { AppError } from "../../../adapters/http";
import { parseTarget, type BlockTarget, type TargetKind } from "../../../core/admin/block-target";
import { checkBlockTarget } from "../../../core/admin/safety";
import { actorOf, principalOf } from "../auth/principal";
import { adminRouter } from "../router";
import { ERROR_RESPONSES, NOT_FOUND, OkSchema, PageQuerySchema, json, jsonBody } from "../schemas";
import { listBlocklist, removeBlock, writeBlocks } from "../store/blocklist";
import { securedSite } from "../auth/site-scope";

export const TargetKindSchema = z.enum(["ip", "cidr", "asn"]);

/** KV's minimum TTL is 60 s; a year is the longest an operator block lives unless it has none. */
export const TtlSchema = z
  .int()
  .min(60)
  .max(366 * 86_400)
  .nullable()
  .default(86_400)
  .openapi({ description: "seconds until the entry expires; null: never" });

export const BlocklistEntrySchema = z
  .object({
    kind: TargetKindSchema,
    target: z.string(),
    key: z.string(),
    action: z.enum(["block", "tarpit"]),
    reason: z.string(),
    source: z.enum(["edge", "tarpit", "escalation", "peer", "operator"]),
    score: z.number().nullable(),
    at: z.string().nullable(),
    expiresAt: z.string().nullable(),
    shared: z.boolean().openapi({ description: "applies to every site, not only the one it was written for" }),
  })
  .openapi("BlocklistEntry");

const AddSchema = z
  .object({
    target: z.string().min(1).max(64).openapi({ example: "203.0.113.7", description: "an IP, a CIDR, or AS<n>" }),
    kind: TargetKindSchema.optional().openapi({ description: "optional: checked against what `target` is" }),
    action: z.enum(["block", "tarpit"]).default("block"),
    reason: z.string().min(1).max(200),
    ttlSeconds: TtlSchema,
    shared: z
      .boolean()
      .default(false)
      .openapi({ description: "apply the block to every site (an address is stored as a one-address network)" }),
  })
  .openapi("BlocklistAdd");

const TargetQuery = z.object({ target: z.string().min(1).max(64).openapi({ example: "203.0.113.0/24" }) });

/** Parses a target and checks it is of the kind asked for; 400 naming the problem otherwise. */
export function targetOrThrow(text: string, kind?: TargetKind): BlockTarget {
  const parsed = parseTarget(text, kind === "cidr" ? undefined : kind);
  if (!parsed.ok) throw new AppError(400, "invalid_target", parsed.error);
  if (kind === "cidr" && parsed.value.kind === "asn") throw new AppError(400, "invalid_target", `"${text}" is not a CIDR`);
  return parsed.value;
}

/** IP, CIDR and ASN blocklist entries in KV: list, add (with safety checks), remove. */
export const blocklistRoutes = adminRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      summary: "Blocklist entries of one kind, with reason, source and expiry",
      ...securedSite("viewer"),
      request: {
        query: PageQuerySchema.extend({
          kind: TargetKindSchema.default("ip"),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
      },
      responses: {
        200: json(z.object({ entries: z.array(BlocklistEntrySchema), nextCursor: z.string().nullable() }), "a page"),
        ...ERROR_RESPONSES,
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      return c.json(await listBlocklist(c.env, q.kind, q.limit, q.cursor, c.get("site")), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      summary: "Block (or tarpit) an IP, CIDR or ASN. Refused for reserved ranges, allow-listed or verified-crawler addresses",
      ...securedSite("operator"),
      request: { body: jsonBody(AddSchema) },
      responses: {
        201: json(BlocklistEntrySchema, "written"),
        422: json(z.object({ error: z.string(), message: z.string() }), "`unsafe_target`"),
        ...ERROR_RESPONSES,
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const target = targetOrThrow(input.target, input.kind);
      const checked = checkBlockTarget(target, await c.get("state").safety.load(c.env, c.get("config").devMode, c.get("site")));
      if (!checked.ok) throw new AppError(422, "unsafe_target", checked.error);
      const [view] = await writeBlocks(
        c.env,
        actorOf(principalOf(c)),
        "blocklist.add",
        [checked.value],
        { ...input, site: c.get("site") },
        c.get("deps").now(),
      );
      if (view === undefined) throw new Error("no entry written");
      return c.json(view, 201);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/",
      summary: "Unblock: remove the entry for an IP, CIDR or ASN",
      ...securedSite("operator"),
      request: { query: TargetQuery },
      responses: { 200: json(OkSchema, "removed"), 404: NOT_FOUND, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const removed = await removeBlock(c.env, actorOf(principalOf(c)), targetOrThrow(c.req.valid("query").target), c.get("site"));
      if (!removed) throw new AppError(404, "not_found", "no blocklist entry for that target");
      return c.json({ ok: true as const }, 200);
    },
  );
