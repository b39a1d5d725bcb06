import { createRoute, z } from "@hono/zod-openapi";
import { and, count, eq, ne } from "drizzle-orm";
import { adminUsers } from "../../../adapters/db/schema";
import { AppError } from "../../../adapters/http";
import { otpauthUri } from "../../../core/admin/totp";
import { hashPassword, newTotpSecret } from "../auth/crypto";
import { actorOf, principalOf } from "../auth/principal";
import { findUser, userView } from "../auth/users-store";
import { adminRouter } from "../router";
import { ERROR_RESPONSES, NOT_FOUND, OkSchema, RoleSchema, SiteScopeField, json, jsonBody } from "../schemas";
import { audit } from "../store/audit";
import { db, type Conn } from "../store/db";
import { secured } from "./secured";

const SitesField = SiteScopeField;
const UserSchema = z
  .object({
    name: z.string(),
    email: z.string().nullable(),
    role: RoleSchema,
    sites: SitesField,
    disabled: z.boolean(),
    hasPassword: z.boolean(),
    hasTotp: z.boolean(),
    createdAt: z.string(),
  })
  .openapi("User");
const EnrolmentSchema = z
  .object({ user: UserSchema, totpSecret: z.string().nullable(), otpauthUri: z.string().nullable() })
  .openapi("UserEnrolment", { description: "the TOTP secret appears only in this response" });
const NameParams = z.object({
  name: z
    .string()
    .regex(/^[a-z0-9._-]{1,64}$/)
    .openapi({ param: { name: "name", in: "path" } }),
});
const Password = z.string().min(12, "at least 12 characters").max(200);
const NewUserSchema = z
  .object({
    name: NameParams.shape.name,
    role: RoleSchema,
    sites: SitesField.default("all"),
    password: Password.optional(),
    email: z.email().max(200).optional(),
  })
  .openapi("NewUser");
const UserPatchSchema = z
  .object({
    role: RoleSchema.optional(),
    sites: SitesField.optional(),
    email: z.email().max(200).nullable().optional(),
    password: Password.optional(),
    disabled: z.boolean().optional(),
    resetTotp: z.boolean().optional().openapi({ description: "issue a new TOTP secret (returned once)" }),
    revokeSessions: z.boolean().optional().openapi({ description: "sign the user out everywhere" }),
  })
  .openapi("UserPatch");

const ISSUER = "edge-guard";

/** Refuses an admin's demotion, disabling or deletion of their own account (a slip that locks them out). */
function notSelf(actor: string, name: string): void {
  if (actor === `user:${name}`) throw new AppError(409, "self_change", "you cannot demote, disable or delete your own account");
}

/** Refuses a change that would leave no enabled admin: nobody could manage users or tokens after it. */
async function keepAnAdmin(d: Conn, except: number): Promise<void> {
  const [row] = await d
    .select({ n: count() })
    .from(adminUsers)
    .where(and(eq(adminUsers.role, "admin"), eq(adminUsers.disabled, false), ne(adminUsers.id, except)));
  if ((row?.n ?? 0) === 0) throw new AppError(409, "last_admin", "this would leave no enabled admin");
}

/** Built-in login accounts (admin only). Secrets never leave except the TOTP secret at enrolment. */
export const userRoutes = adminRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      summary: "Users",
      ...secured("admin"),
      responses: { 200: json(z.object({ users: z.array(UserSchema) }), "all users"), ...ERROR_RESPONSES },
    }),
    async (c) => c.json({ users: (await db(c.env, (d) => d.select().from(adminUsers).orderBy(adminUsers.name))).map(userView) }, 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      summary: "Create a user; answers the TOTP secret once",
      ...secured("admin"),
      request: { body: jsonBody(NewUserSchema) },
      responses: {
        201: json(EnrolmentSchema, "created"),
        409: json(z.object({ error: z.string(), message: z.string() }), "`conflict`"),
        ...ERROR_RESPONSES,
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const actor = actorOf(principalOf(c));
      const totpSecret = newTotpSecret();
      const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
      const row = await db(c.env, (d) =>
        d.transaction(async (tx) => {
          const [created] = await tx
            .insert(adminUsers)
            .values({
              name: input.name,
              role: input.role,
              sites: input.sites === "all" ? null : input.sites,
              email: input.email?.toLowerCase() ?? null,
              passwordHash,
              totpSecret,
            })
            .returning();
          if (created === undefined) throw new Error("insert returned no row");
          await audit(tx, { actor, action: "user.create", target: `user:${created.name}`, old: null, new: userView(created) });
          return created;
        }),
      );
      return c.json({ user: userView(row), totpSecret, otpauthUri: otpauthUri(ISSUER, row.name, totpSecret) }, 201);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{name}",
      summary: "Change a user's role, email, password or status; reset TOTP; sign out everywhere",
      ...secured("admin"),
      request: { params: NameParams, body: jsonBody(UserPatchSchema) },
      responses: { 200: json(EnrolmentSchema, "changed"), 404: NOT_FOUND, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const patch = c.req.valid("json");
      const actor = actorOf(principalOf(c));
      const totpSecret = patch.resetTotp ? newTotpSecret() : null;
      const passwordHash = patch.password === undefined ? undefined : await hashPassword(patch.password);
      const row = await db(c.env, (d) =>
        d.transaction(async (tx) => {
          const old = await findUser(tx, c.req.valid("param").name);
          if (old === null) throw new AppError(404, "not_found", "no such user");
          if ((patch.role !== undefined && patch.role !== "admin") || patch.disabled) {
            notSelf(actor, old.name);
            await keepAnAdmin(tx, old.id);
          }
          const signOut =
            patch.revokeSessions || passwordHash !== undefined || patch.role !== undefined || patch.disabled || totpSecret !== null;
          const [updated] = await tx
            .update(adminUsers)
            .set({
              role: patch.role,
              sites: patch.sites === undefined ? undefined : patch.sites === "all" ? null : patch.sites,
              email: patch.email === undefined ? undefined : (patch.email?.toLowerCase() ?? null),
              passwordHash,
              disabled: patch.disabled,
              ...(totpSecret === null ? {} : { totpSecret, totpLastStep: null }),
              ...(signOut ? { sessionsValidAfter: new Date(Math.floor(c.get("deps").now() / 1000) * 1000) } : {}),
            })
            .where(eq(adminUsers.id, old.id))
            .returning();
          if (updated === undefined) throw new Error("update returned no row");
          const changes = {
            ...userView(updated),
            passwordChanged: passwordHash !== undefined,
            totpReset: totpSecret !== null,
            sessionsRevoked: signOut,
          };
          await audit(tx, { actor, action: "user.update", target: `user:${updated.name}`, old: userView(old), new: changes });
          return updated;
        }),
      );
      return c.json(
        { user: userView(row), totpSecret, otpauthUri: totpSecret === null ? null : otpauthUri(ISSUER, row.name, totpSecret) },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{name}",
      summary: "Delete a user",
      ...secured("admin"),
      request: { params: NameParams },
      responses: { 200: json(OkSchema, "deleted"), 404: NOT_FOUND, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const actor = actorOf(principalOf(c));
      await db(c.env, (d) =>
        d.transaction(async (tx) => {
          const old = await findUser(tx, c.req.valid("param").name);
          if (old === null) throw new AppError(404, "not_found", "no such user");
          notSelf(actor, old.name);
          await keepAnAdmin(tx, old.id);
          await tx.delete(adminUsers).where(eq(adminUsers.id, old.id));
          await audit(tx, { actor, action: "user.delete", target: `user:${old.name}`, old: userView(old), new: null });
        }),
      );
      return c.json({ ok: true as const }, 200);
    },
  );
