import type { Context, MiddlewareHandler } from "hono";
import { AppError } from "../../../adapters/http";
import { RoleSchema, storedScope, type Role, type SiteScope } from "../../../core/admin/roles";
import { constantTimeEqual } from "../../../core/admin/totp";
import type { AdminConfig } from "../config";
import type { AdminBindings } from "../router";
import { db } from "../store/db";
import { ACCESS_HEADER, accessRoleFor, verifyAccessJwt } from "./access";
import { hmacSha256B64 } from "./crypto";
import { checkCsrf } from "./csrf";
import type { Principal } from "./principal";
import { clearSessionCookie, sessionCookie, setSessionCookie, signSession, verifySession } from "./session";
import { useToken } from "./tokens-store";
import { findUser, findUserByEmail } from "./users-store";

type Ctx = Context<AdminBindings>;

/** The sites a principal may use: an admin every site; anyone else what their row says (null: every site). */
function scopeOf(role: Role, stored: unknown): SiteScope {
  return role === "admin" ? "all" : storedScope(stored);
}

async function bearer(c: Ctx, token: string, config: AdminConfig, nowMs: number): Promise<Principal> {
  if (config.devToken !== null && constantTimeEqual(token, config.devToken))
    return { kind: "dev", name: "dev", role: "admin", sites: "all", csrf: null };
  const row = await db(c.env, (d) => useToken(d, token, new Date(nowMs), config.tokenMaxDays));
  if (row === null)
    throw new AppError(401, "invalid_token", "the API token is unknown, revoked, expired, or its creator is disabled or gone");
  const role = RoleSchema.catch("viewer").parse(row.role);
  return { kind: "token", name: row.name, role, sites: scopeOf(role, row.sites), csrf: null };
}

async function access(c: Ctx, jwt: string, config: AdminConfig, nowMs: number): Promise<Principal> {
  const settings = config.access;
  if (settings === null || config.sessionSecret === null)
    throw new AppError(401, "unauthenticated", "Cloudflare Access is not configured here");
  const identity = await verifyAccessJwt(jwt, settings, c.get("deps").accessKeys(settings), nowMs);
  if (identity === null) throw new AppError(401, "invalid_access_token", "the Cloudflare Access token was refused");
  const user = await db(c.env, (d) => findUserByEmail(d, identity.email));
  if (user?.disabled) throw new AppError(403, "forbidden", "this account is disabled");
  const role = RoleSchema.safeParse(user?.role ?? accessRoleFor(identity.email, settings));
  if (!role.success) throw new AppError(403, "forbidden", `no role is granted to ${identity.email}`);
  const csrf = await hmacSha256B64(config.sessionSecret, `access-csrf:${identity.sub}`);
  return { kind: "access", name: identity.email, role: role.data, sites: scopeOf(role.data, user?.sites), csrf };
}

async function session(c: Ctx, token: string, config: AdminConfig, nowMs: number): Promise<Principal | null> {
  if (config.sessionSecret === null) return null;
  const claims = await verifySession(config.sessionSecret, token, nowMs);
  const user = claims === null ? null : await db(c.env, (d) => findUser(d, claims.name));
  const role = RoleSchema.safeParse(user?.role);
  if (
    claims === null ||
    user === null ||
    user.disabled ||
    !role.success ||
    claims.iat < Math.floor(user.sessionsValidAfter.getTime() / 1000)
  ) {
    clearSessionCookie(c);
    return null;
  }
  // Renew a session past half its life on use, keeping its CSRF token: an active operator stays signed in.
  if (claims.exp - nowMs / 1000 < config.sessionTtlSeconds / 2) {
    const renewed = await signSession(config.sessionSecret, claims.name, nowMs, config.sessionTtlSeconds, claims.csrf);
    setSessionCookie(c, renewed.token, renewed.claims);
  }
  return { kind: "session", name: user.name, role: role.data, sites: scopeOf(role.data, user.sites), csrf: claims.csrf };
}

/**
 * Finds who is calling: `Authorization: Bearer` (API token, or ADMIN_DEV_TOKEN in dev), else the Access header,
 * else the session cookie. A presented but bad credential is 401, never a silent fallback. Then the CSRF check.
 */
export function authenticate(): MiddlewareHandler<AdminBindings> {
  return async (c, next) => {
    const config = c.get("config");
    const nowMs = c.get("deps").now();
    const authorization = c.req.header("authorization");
    const accessJwt = c.req.header(ACCESS_HEADER);
    const cookie = sessionCookie(c);
    let principal: Principal | null = null;
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (match?.[1] === undefined) throw new AppError(401, "invalid_token", "use `Authorization: Bearer <token>`");
      principal = await bearer(c, match[1], config, nowMs);
    } else if (accessJwt !== undefined && config.access !== null) {
      principal = await access(c, accessJwt, config, nowMs);
    } else if (cookie !== undefined) {
      principal = await session(c, cookie, config, nowMs);
    }
    c.set("principal", principal);
    // Login checks the Origin itself; a stale session cookie must not make signing in again need a CSRF token.
    if (principal !== null && c.req.path !== "/api/auth/login") await checkCsrf(c, principal, config);
    await next();
  };
}
