import { createRoute, z } from "@hono/zod-openapi";
import { AppError } from "../../../adapters/http";
import { BlocklistStore } from "../../../adapters/blocklist-store";
import { allowKey, parseAllowEntry, targetOfAllowKey, type AllowEntry, type AllowTarget } from "../../../core/admin/allowlist";
import { blocklistKeyOf, targetText } from "../../../core/admin/block-target";
import { actorOf, principalOf } from "../auth/principal";
import { adminRouter } from "../router";
import { ERROR_RESPONSES, NOT_FOUND, OkSchema, PageQuerySchema, json, jsonBody } from "../schemas";
import { auditAll } from "../store/blocklist";
import { kv, listItems, parseJson } from "../store/kv";
import { TtlSchema, targetOrThrow } from "./blocklist";
import { securedSite } from "../auth/site-scope";

const AllowEntrySchema = z
  .object({
    kind: z.enum(["ip", "cidr"]),
    target: z.string(),
    key: z.string(),
    reason: z.string(),
    by: z.string(),
    at: z.string().nullable(),
    expiresAt: z.string().nullable(),
  })
  .openapi("AllowEntry");

const AllowAddSchema = z
  .object({
    target: z.string().min(1).max(64).openapi({ example: "198.51.100.20" }),
    reason: z.string().min(1).max(200),
    ttlSeconds: TtlSchema.default(null),
  })
  .openapi("AllowAdd");

function allowTargetOrThrow(text: string): AllowTarget {
  const target = targetOrThrow(text);
  if (target.kind === "asn") throw new AppError(400, "invalid_target", "the allow-list takes IPs and CIDRs, not AS numbers");
  return target;
}

function view(target: AllowTarget, entry: AllowEntry | null, expiration: number | null, site: string) {
  return {
    kind: target.kind,
    target: targetText(target),
    key: allowKey(target, site),
    reason: entry?.reason ?? "",
    by: entry?.by ?? "",
    at: entry ? new Date(entry.at).toISOString() : null,
    expiresAt: expiration === null ? null : new Date(expiration * 1000).toISOString(),
  };
}

/** The allow-list (`allow:<ip|cidr>` in the RangeIndex): the edge lets these through, and admin refuses blocks that overlap them. */
export const allowlistRoutes = adminRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      summary: "Allow-listed IPs and networks",
      ...securedSite("viewer"),
      request: { query: PageQuerySchema.extend({ limit: z.coerce.number().int().min(1).max(1000).default(100) }) },
      responses: {
        200: json(z.object({ entries: z.array(AllowEntrySchema), nextCursor: z.string().nullable() }), "a page"),
        ...ERROR_RESPONSES,
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const page = await listItems(c.env, "allow", q.limit, q.cursor, c.get("site"));
      const entries = page.items.flatMap((item) => {
        const target = targetOfAllowKey(item.key);
        return target === null ? [] : [view(target, parseAllowEntry(item.raw), item.expiration, c.get("site"))];
      });
      return c.json({ entries, nextCursor: page.nextCursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      summary: "Allow-list an IP or network; removes its exact blocklist entry if there is one",
      ...securedSite("operator"),
      request: { body: jsonBody(AllowAddSchema) },
      responses: { 201: json(AllowEntrySchema, "written"), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const actor = actorOf(principalOf(c));
      const nowMs = c.get("deps").now();
      const target = allowTargetOrThrow(input.target);
      const key = allowKey(target, c.get("site"));
      const entry: AllowEntry = { reason: input.reason, source: "operator", by: actor, at: nowMs };
      const blockKey = blocklistKeyOf(target, c.get("site"));
      const store = new BlocklistStore(c.env, "operator");
      const olds = await kv(() => store.getMany([key, blockKey]));
      const [old, oldBlock] = [olds.get(key) ?? null, olds.get(blockKey) ?? null];
      await kv(() => store.put([{ key, entry, ttlSeconds: input.ttlSeconds }], nowMs));
      if (oldBlock !== null) await kv(() => store.remove(blockKey));
      await auditAll(c.env, [
        { actor, action: "allowlist.add", target: key, old: parseJson(old), new: { ...entry, ttlSeconds: input.ttlSeconds } },
        ...(oldBlock === null ? [] : [{ actor, action: "blocklist.remove", target: blockKey, old: parseJson(oldBlock), new: null }]),
      ]);
      const expiration = input.ttlSeconds === null ? null : Math.floor(nowMs / 1000) + input.ttlSeconds;
      return c.json(view(target, entry, expiration, c.get("site")), 201);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/",
      summary: "Remove an allow-list entry",
      ...securedSite("operator"),
      request: { query: z.object({ target: z.string().min(1).max(64) }) },
      responses: { 200: json(OkSchema, "removed"), 404: NOT_FOUND, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const key = allowKey(allowTargetOrThrow(c.req.valid("query").target), c.get("site"));
      const old = await kv(() => new BlocklistStore(c.env, "operator").remove(key));
      if (old === null) throw new AppError(404, "not_found", "no allow-list entry for that target");
      await auditAll(c.env, [{ actor: actorOf(principalOf(c)), action: "allowlist.remove", target: key, old: parseJson(old), new: null }]);
      return c.json({ ok: true as const }, 200);
    },
  );
