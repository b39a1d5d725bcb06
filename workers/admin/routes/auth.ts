import { createRoute, z } from "@hono/zod-openapi";
import { principalOf, actorOf } from "../auth/principal";
import { login } from "../auth/login";
import { clearSessionCookie } from "../auth/session";
import { adminRouter } from "../router";
import { ERROR_RESPONSES, ErrorSchema, OkSchema, RoleSchema, json, jsonBody } from "../schemas";
import { audit } from "../store/audit";
import { db } from "../store/db";
import { secured } from "./secured";

const LoginSchema = z
  .object({
    name: z.string().min(1).max(100),
    password: z.string().min(1).max(1000),
    totp: z.string().min(6).max(10).openapi({ description: "the 6-digit code from the authenticator app" }),
  })
  .openapi("Login");

const SessionSchema = z
  .object({
    name: z.string(),
    role: RoleSchema,
    sites: z.union([z.literal("all"), z.array(z.string())]).openapi({ description: "the sites you may see and act on" }),
    kind: z.enum(["session", "access", "token", "dev"]),
    actor: z.string(),
    csrfToken: z.string().nullable().openapi({ description: "send as X-CSRF-Token on every POST/PUT/PATCH/DELETE (null: not needed)" }),
  })
  .openapi("Session");

const LoggedInSchema = z
  .object({ name: z.string(), role: RoleSchema, csrfToken: z.string(), expiresAt: z.iso.datetime() })
  .openapi("LoggedIn");

/** Sign in, out, and who-am-I. */
export const authRoutes = adminRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/login",
      summary: "Sign in with name, password and TOTP code; sets the session cookie",
      "x-required-role": "public",
      request: { body: jsonBody(LoginSchema) },
      responses: {
        200: json(LoggedInSchema, "signed in"),
        401: json(ErrorSchema, "`invalid_credentials`: wrong name, password or code (the same answer for each)"),
        429: json(ErrorSchema, "`too_many_attempts`: rate limited; see Retry-After"),
        400: ERROR_RESPONSES[400],
        403: ERROR_RESPONSES[403],
      },
    }),
    async (c) => c.json(await login(c, c.req.valid("json")), 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/logout",
      summary: "Sign out: clears the session cookie (audited)",
      ...secured("viewer"),
      responses: { 200: json(OkSchema, "signed out"), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const p = principalOf(c);
      clearSessionCookie(c);
      const ip = c.req.header("cf-connecting-ip") ?? "unknown";
      await db(c.env, (d) =>
        audit(d, { actor: actorOf(p), action: "auth.logout", target: `user:${p.name}`, old: null, new: { ip, kind: p.kind } }),
      );
      return c.json({ ok: true as const }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/session",
      summary: "Who is signed in, and the CSRF token for changes",
      ...secured("viewer"),
      responses: { 200: json(SessionSchema, "the caller"), ...ERROR_RESPONSES },
    }),
    (c) => {
      const p = principalOf(c);
      return c.json({ name: p.name, role: p.role, sites: p.sites, kind: p.kind, actor: actorOf(p), csrfToken: p.csrf }, 200);
    },
  );
