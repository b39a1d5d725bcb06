import { env as rawEnv } from "cloudflare:workers";
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWK } from "jose";
import { withDb } from "../../../adapters/db/client";
import { adminUsers, decisions } from "../../../adapters/db/schema";
import { base32Decode, base32Encode, totpCode } from "../../../core/admin/totp";
import type { Role } from "../../../core/admin/roles";
import { createApp } from "../../../workers/admin/app";
import { hashPassword, hmacSha1 } from "../../../workers/admin/auth/crypto";
import { createToken } from "../../../workers/admin/auth/tokens-store";
import type { AdminEnv } from "../../../workers/admin/env";

/** The real bindings of the test Worker (KV, Postgres URL). */
export const baseEnv = rawEnv as unknown as AdminEnv;
export const SESSION_SECRET = "test-session-secret-0123456789abcdef";
export const METRICS_TOKEN = "test-metrics-token-0123";
export const ACCESS_TEAM = "testteam.cloudflareaccess.com";
export const ACCESS_AUD = "test-aud-tag";
export const DASHBOARD_ORIGIN = "https://dash.example.com";
export const ORIGIN = "https://admin.test";

/** A controllable clock: tests move it to expire sessions and to give each login a fresh TOTP step. */
export const clock = { now: Date.now() };

/** Access signing keys the test app trusts through a local JWKS (no network). */
export const accessKeys = await generateKeyPair("RS256", { extractable: true });
export const accessPublicJwk: JWK = { ...(await exportJWK(accessKeys.publicKey)), kid: "test-kid", alg: "RS256", use: "sig" };
const jwks = createLocalJWKSet({ keys: [accessPublicJwk] });

/** The admin app with the test key set and clock; the account-wide login delay is skipped (auth-abuse.test.ts checks it). */
export const app = createApp({ accessKeys: () => jwks, now: () => clock.now, sleep: async () => {} });

/** Vars a deploy would set, on top of the real bindings. */
export function testEnv(
  overrides: Partial<Record<Exclude<keyof AdminEnv, "BLOCKLIST" | "TARPIT" | "RANGE_INDEX" | "CRAWLER_ACCOUNT">, string>> = {},
): AdminEnv {
  return {
    ...baseEnv,
    SESSION_SECRET,
    METRICS_TOKEN,
    ACCESS_TEAM_DOMAIN: ACCESS_TEAM,
    ACCESS_AUD,
    CORS_ORIGINS: DASHBOARD_ORIGIN,
    ACCESS_ROLES: "boss@example.com=admin,*@example.com=viewer",
    DEV_MODE: "off",
    ...overrides,
  };
}

const defaultEnv = testEnv();

/** Calls the app as a deploy with `testEnv()` would run it. */
export async function call(path: string, init: RequestInit = {}, env: AdminEnv = defaultEnv): Promise<Response> {
  return app.request(`${ORIGIN}${path}`, init, env);
}

/** JSON request init with optional headers. */
export function jsonInit(method: string, body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method, body: JSON.stringify(body), headers: { "content-type": "application/json", ...headers } };
}

export const PASSWORD = "correct horse battery staple";

/** Creates (or replaces) a built-in user with a known password and a fresh TOTP secret. */
export async function createUser(name: string, role: Role, extra: { email?: string } = {}): Promise<{ name: string; totpSecret: string }> {
  const totpSecret = base32Encode(crypto.getRandomValues(new Uint8Array(20)));
  const passwordHash = await hashPassword(PASSWORD);
  await withDb(baseEnv, (d) =>
    d
      .insert(adminUsers)
      .values({ name, role, passwordHash, totpSecret, email: extra.email ?? null })
      .onConflictDoUpdate({ target: adminUsers.name, set: { role, passwordHash, totpSecret, totpLastStep: null, disabled: false } }),
  );
  return { name, totpSecret };
}

/** The current TOTP code for a secret, by the test clock. */
export async function totpFor(secret: string, at = clock.now): Promise<string> {
  const key = base32Decode(secret);
  if (key === null) throw new Error("bad secret");
  return totpCode(hmacSha1, key, at);
}

/** A browser session: its cookie header and CSRF token. */
export interface Session {
  readonly cookie: string;
  readonly csrf: string;
}

/** Logs in through the API (moving the clock one TOTP step on, so codes are never reused). */
export async function login(user: { name: string; totpSecret: string }, ip = "198.51.100.200"): Promise<Session> {
  clock.now += 30_000;
  const response = await call(
    "/api/auth/login",
    jsonInit("POST", { name: user.name, password: PASSWORD, totp: await totpFor(user.totpSecret) }, { "cf-connecting-ip": ip }),
  );
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { csrfToken: string };
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  return { cookie, csrf: body.csrfToken };
}

/** Headers of a same-origin dashboard request in a session (cookie, Origin, CSRF token). */
export function sessionHeaders(s: Session, extra: Record<string, string> = {}): Record<string, string> {
  return { cookie: s.cookie, origin: ORIGIN, "x-csrf-token": s.csrf, ...extra };
}

/** An API token with `role`, made directly in the database. */
export async function apiToken(role: Role, name = `test-${role}`): Promise<string> {
  const made = await withDb(baseEnv, (d) => createToken(d, { name, role, createdBy: "test", expiresAt: null }));
  return made.token;
}

/** Bearer header for a token. */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Inserts a decision row (defaults: a blocked GPTBot tarpit decision). */
export async function insertDecision(
  reportId: string,
  ip: string,
  overrides: Partial<typeof decisions.$inferInsert> = {},
): Promise<number> {
  const [row] = await withDb(baseEnv, (d) =>
    d
      .insert(decisions)
      .values({
        reportId,
        at: new Date(clock.now),
        source: "edge",
        ip,
        method: "GET",
        path: "/articles/x",
        userAgent: "GPTBot/1.2",
        edgeAction: "tarpit",
        edgeScore: 50,
        reasons: [{ code: "ua-ai-crawler", weight: 50, detail: "GPTBot" }],
        modelScore: 0.97,
        modelVersion: "test-model",
        verdict: "bot",
        blocked: true,
        ...overrides,
      })
      .returning({ id: decisions.id }),
  );
  if (row === undefined) throw new Error("insert failed");
  return row.id;
}
