import type { Context } from "hono";
import { AppError } from "../../../adapters/http";
import { constantTimeEqual } from "../../../core/admin/totp";
import type { AdminConfig } from "../config";
import type { Principal } from "./principal";

/** Header the dashboard sends its CSRF token in (forms send a `_csrf` field instead). */
export const CSRF_HEADER = "x-csrf-token";
const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

/** True for methods that may change something. */
export function isMutating(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/**
 * The request comes from our own pages or a configured origin: `Origin` (or, without it, `Sec-Fetch-Site`) says
 * so. A request carrying neither is not from a current browser and passes this check (the token check still applies).
 */
export function sameOriginOrAllowed(c: Context, config: AdminConfig): boolean {
  const origin = c.req.header("origin");
  if (origin !== undefined) return origin === new URL(c.req.url).origin || config.corsOrigins.includes(origin);
  const site = c.req.header("sec-fetch-site");
  return site === undefined || site === "same-origin" || site === "none";
}

async function submittedToken(c: Context): Promise<string | undefined> {
  const header = c.req.header(CSRF_HEADER);
  if (header !== undefined) return header;
  const type = c.req.header("content-type") ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded") && !type.startsWith("multipart/form-data")) return undefined;
  // Hono caches the parsed body, so the route's form validator reads it again.
  const field = (await c.req.parseBody())._csrf;
  return typeof field === "string" ? field : undefined;
}

/**
 * CSRF defence for credentials a browser sends by itself (session cookie, Access): a mutating request must come
 * from an allowed origin and carry the principal's token (double submit, bound to the session). Bearer tokens skip it.
 */
export async function checkCsrf(c: Context, principal: Principal, config: AdminConfig): Promise<void> {
  if (principal.csrf === null || !isMutating(c.req.method)) return;
  if (!sameOriginOrAllowed(c, config)) throw new AppError(403, "csrf_failed", "cross-origin request refused");
  const token = await submittedToken(c);
  if (token === undefined || !constantTimeEqual(token, principal.csrf)) {
    throw new AppError(403, "csrf_failed", `missing or wrong CSRF token: send the one from GET /api/auth/session as ${CSRF_HEADER}`);
  }
}
