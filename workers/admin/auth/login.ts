import type { Context } from "hono";
import { and, eq, isNull, lt, or } from "drizzle-orm";
import { adminUsers } from "../../../adapters/db/schema";
import { AppError } from "../../../adapters/http";
import { LOGIN_WINDOW_MS } from "../../../core/admin/login-throttle";
import { RoleSchema, type Role } from "../../../core/admin/roles";
import { base32Decode, verifyTotp } from "../../../core/admin/totp";
import type { AdminBindings } from "../router";
import { audit, auditMany } from "../store/audit";
import { db } from "../store/db";
import { hmacSha1, verifyPassword } from "./crypto";
import { sameOriginOrAllowed } from "./csrf";
import { setSessionCookie, signSession } from "./session";
import { claimLoginAttempt, releaseLoginAttempt } from "./throttle";
import { ensureDevUser, findUser } from "./users-store";

/** What a login form or JSON body carries. */
export interface LoginInput {
  readonly name: string;
  readonly password: string;
  readonly totp: string;
}

/** A successful login: who, and the session's CSRF token and end. */
export interface LoginOutcome {
  readonly name: string;
  readonly role: Role;
  readonly csrfToken: string;
  readonly expiresAt: string;
}

const BAD = () => new AppError(401, "invalid_credentials", "wrong name, password or one-time code");

/**
 * Built-in login: the attempt is counted before any hashing (atomically: a burst cannot all pass), then PBKDF2
 * password, TOTP (a used step never again), then a session cookie. Every failure looks the same to the client,
 * counts against the address (alone and with the name) and is audited; the account's failures only slow it down.
 */
export async function login(c: Context<AdminBindings>, input: LoginInput): Promise<LoginOutcome> {
  const config = c.get("config");
  const deps = c.get("deps");
  const nowMs = deps.now();
  const secret = config.sessionSecret;
  if (secret === null) throw new AppError(503, "login_unavailable", "built-in login is off: SESSION_SECRET is not set");
  if (!sameOriginOrAllowed(c, config)) throw new AppError(403, "csrf_failed", "cross-origin login refused");
  if (config.devUser !== null) await ensureDevUser(c.env, config.devUser, c.get("state"));
  const ip = c.req.header("cf-connecting-ip") ?? "unknown";
  const name = input.name.trim();
  const target = `user:${name}`;
  const { claim, user } = await db(c.env, async (d) => ({
    claim: await claimLoginAttempt(d, name, ip, nowMs),
    user: await findUser(d, name),
  }));
  if (!claim.allowed) {
    c.header("Retry-After", String(claim.retryAfterSeconds));
    throw new AppError(429, "too_many_attempts", `too many failed logins; try again in ${claim.retryAfterSeconds} s`);
  }
  // Outside any database session: neither the delay nor the hashing holds a connection.
  if (claim.delayMs > 0) await (deps.sleep ?? wait)(claim.delayMs);
  const passwordOk = await verifyPassword(input.password, user?.passwordHash ?? null);
  const key = user?.totpSecret ? base32Decode(user.totpSecret) : null;
  const totp = key === null ? null : await verifyTotp(hmacSha1, key, input.totp.trim(), nowMs, user?.totpLastStep ?? null);
  const role = RoleSchema.safeParse(user?.role);
  const outcome = await db(c.env, async (d) => {
    if (user !== null && !user.disabled && passwordOk && totp !== null && totp.ok && role.success) {
      // Conditional on the stored step, so two logins racing with one code cannot both win.
      const claimed = await d
        .update(adminUsers)
        .set({ totpLastStep: totp.value })
        .where(and(eq(adminUsers.id, user.id), or(isNull(adminUsers.totpLastStep), lt(adminUsers.totpLastStep, totp.value))))
        .returning({ id: adminUsers.id });
      if (claimed.length > 0) {
        await releaseLoginAttempt(d, claim, name, ip);
        await audit(d, { actor: `user:${user.name}`, action: "auth.login", target: `user:${user.name}`, old: null, new: { ip } });
        return { name: user.name, role: role.data };
      }
    }
    // The attempt already counts as a failure (claimed before hashing); the audit says so, and when it used up
    // this address's allowance, that a lockout of the address starts.
    await auditMany(d, [
      { actor: `ip:${ip}`, action: "auth.login_failed", target, old: null, new: { ip, known: user !== null } },
      ...(claim.last
        ? [{ actor: `ip:${ip}`, action: "auth.lockout", target, old: null, new: { ip, minutes: LOGIN_WINDOW_MS / 60_000 } }]
        : []),
    ]);
    return null;
  });
  if (outcome === null) throw BAD();
  const session = await signSession(secret, outcome.name, nowMs, config.sessionTtlSeconds);
  setSessionCookie(c, session.token, session.claims);
  return { ...outcome, csrfToken: session.claims.csrf, expiresAt: new Date(session.claims.exp * 1000).toISOString() };
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
