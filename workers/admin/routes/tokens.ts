import { createRoute, z } from "@hono/zod-openapi";
import { desc, eq } from "drizzle-orm";
import { apiTokens } from "../../../adapters/db/schema";
import { AppError } from "../../../adapters/http";
import { roleAtLeast } from "../../../core/admin/roles";
import { actorOf, principalOf } from "../auth/principal";
import { createToken, tokenView } from "../auth/tokens-store";
import { adminRouter } from "../router";
import { ERROR_RESPONSES, IdParamsSchema, NOT_FOUND, RoleSchema, SiteScopeField, json, jsonBody } from "../schemas";
import { audit } from "../store/audit";
import { db } from "../store/db";
import { secured } from "./secured";

const SitesField = SiteScopeField;
const TokenSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    role: RoleSchema,
    sites: SitesField,
    createdBy: z.string(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi("ApiToken");
const NewTokenSchema = z
  .object({
    name: z.string().regex(/^[a-zA-Z0-9 ._-]{1,64}$/),
    role: RoleSchema,
    sites: SitesField.default("all"),
    expiresInDays: z
      .int()
      .min(1)
      .max(3650)
      .nullable()
      .default(90)
      .openapi({ description: "at most API_TOKEN_MAX_DAYS (default 365); null (never) is refused" }),
  })
  .openapi("NewApiToken");

/** API tokens for automation (admin only): shown once, stored as SHA-256, scoped by role, revocable. */
export const tokenRoutes = adminRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      summary: "API tokens (never their values)",
      ...secured("admin"),
      responses: { 200: json(z.object({ tokens: z.array(TokenSchema) }), "all tokens"), ...ERROR_RESPONSES },
    }),
    async (c) => c.json({ tokens: (await db(c.env, (d) => d.select().from(apiTokens).orderBy(desc(apiTokens.id)))).map(tokenView) }, 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      summary: "Create a token; the response is the only time its value is shown. Send it as `Authorization: Bearer <token>`",
      ...secured("admin"),
      request: { body: jsonBody(NewTokenSchema) },
      responses: { 201: json(TokenSchema.extend({ token: z.string() }), "created"), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const principal = principalOf(c);
      const input = c.req.valid("json");
      if (!roleAtLeast(principal.role, input.role))
        throw new AppError(403, "forbidden", "a token cannot have a higher role than its creator");
      const maxDays = c.get("config").tokenMaxDays;
      if (input.expiresInDays === null || input.expiresInDays > maxDays) {
        throw new AppError(
          400,
          "token_lifetime_too_long",
          `an API token lives at most ${maxDays} days (API_TOKEN_MAX_DAYS): set expiresInDays to ${maxDays} or less`,
        );
      }
      const actor = actorOf(principal);
      const expiresAt = new Date(c.get("deps").now() + input.expiresInDays * 86_400_000);
      const created = await db(c.env, (d) =>
        d.transaction(async (tx) => {
          const made = await createToken(tx, {
            name: input.name,
            role: input.role,
            createdBy: actor,
            expiresAt,
            sites: input.sites === "all" ? null : input.sites,
          });
          await audit(tx, { actor, action: "token.create", target: `token:${made.row.id}`, old: null, new: tokenView(made.row) });
          return made;
        }),
      );
      return c.json({ ...tokenView(created.row), token: created.token }, 201);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      summary: "Revoke a token (it stops working at once)",
      ...secured("admin"),
      request: { params: IdParamsSchema },
      responses: { 200: json(TokenSchema, "revoked"), 404: NOT_FOUND, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const actor = actorOf(principalOf(c));
      const id = c.req.valid("param").id;
      const row = await db(c.env, (d) =>
        d.transaction(async (tx) => {
          const [old] = await tx.select().from(apiTokens).where(eq(apiTokens.id, id)).limit(1);
          if (old === undefined) throw new AppError(404, "not_found", "no token with that id");
          const [revoked] = await tx
            .update(apiTokens)
            .set({ revokedAt: old.revokedAt ?? new Date(c.get("deps").now()) })
            .where(eq(apiTokens.id, id))
            .returning();
          if (revoked === undefined) throw new Error("update returned no row");
          await audit(tx, { actor, action: "token.revoke", target: `token:${id}`, old: tokenView(old), new: tokenView(revoked) });
          return revoked;
        }),
      );
      return c.json(tokenView(row), 200);
    },
  );
