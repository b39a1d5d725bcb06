import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { SignJWT, jwtVerify } from "jose";
import { randomToken } from "./crypto";

/** Name of the session cookie (HttpOnly; the dashboard reads the CSRF token from /api/auth/session instead). */
export const SESSION_COOKIE = "eg_session";
const ISSUER = "edge-guard-admin";
const AUDIENCE = "edge-guard-admin-session";

/** A verified session: who, when it was issued and ends (epoch seconds), and its CSRF token. */
export interface SessionClaims {
  readonly name: string;
  readonly iat: number;
  readonly exp: number;
  readonly csrf: string;
}

const keyOf = (secret: string) => new TextEncoder().encode(secret);

/** Signs a session (HS256 under SESSION_SECRET), valid `ttlSeconds` from `nowMs`. A new CSRF token unless one is carried over. */
export async function signSession(
  secret: string,
  name: string,
  nowMs: number,
  ttlSeconds: number,
  csrf?: string,
): Promise<{ token: string; claims: SessionClaims }> {
  const iat = Math.floor(nowMs / 1000);
  const claims: SessionClaims = { name, iat, exp: iat + ttlSeconds, csrf: csrf ?? randomToken(24) };
  const token = await new SignJWT({ csrf: claims.csrf })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(name)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(claims.exp)
    .sign(keyOf(secret));
  return { token, claims };
}

/** Verifies a session token: HS256 only, our issuer and audience, not expired at `nowMs`. Null for anything else. */
export async function verifySession(secret: string, token: string, nowMs: number): Promise<SessionClaims | null> {
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), {
      algorithms: ["HS256"],
      issuer: ISSUER,
      audience: AUDIENCE,
      currentDate: new Date(nowMs),
      requiredClaims: ["sub", "iat", "exp"],
    });
    if (typeof payload.sub !== "string" || typeof payload.csrf !== "string" || payload.iat === undefined || payload.exp === undefined)
      return null;
    return { name: payload.sub, iat: payload.iat, exp: payload.exp, csrf: payload.csrf };
  } catch {
    return null;
  }
}

/** The session cookie's token, if the request has one. */
export function sessionCookie(c: Context): string | undefined {
  return getCookie(c, SESSION_COOKIE);
}

/** Sets the session cookie: HttpOnly, SameSite=Strict, Secure on https, expiring with the token. */
export function setSessionCookie(c: Context, token: string, claims: SessionClaims): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    secure: new URL(c.req.url).protocol === "https:",
    sameSite: "Strict",
    path: "/",
    expires: new Date(claims.exp * 1000),
  });
}

/** Clears the session cookie (logout). */
export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: new URL(c.req.url).protocol === "https:", httpOnly: true, sameSite: "Strict" });
}
