import { SignJWT, exportSPKI, generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";
import { signSession } from "../../../workers/admin/auth/session";
import { ACCESS_AUD, ACCESS_TEAM, ORIGIN, SESSION_SECRET, accessKeys, call, clock, createUser, jsonInit, login } from "./support";

const ISSUER = `https://${ACCESS_TEAM}`;
const b64url = (value: unknown) => btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

interface Claims {
  email?: string;
  iss?: string;
  aud?: string;
  iat?: number;
  exp?: number;
  nbf?: number;
}

/** An Access token as Cloudflare would sign it (RS256, the team's key), with claims overridable. */
async function accessJwt(over: Claims = {}, key: CryptoKey = accessKeys.privateKey): Promise<string> {
  const now = Math.floor(clock.now / 1000);
  const c = { email: "reader@example.com", iss: ISSUER, aud: ACCESS_AUD, iat: now - 10, exp: now + 600, ...over };
  const jwt = new SignJWT({ email: c.email, type: "app" })
    .setProtectedHeader({ alg: "RS256", kid: "test-kid" })
    .setSubject(`sub-${c.email}`)
    .setIssuer(c.iss)
    .setAudience(c.aud)
    .setIssuedAt(c.iat)
    .setExpirationTime(c.exp);
  if (c.nbf !== undefined) jwt.setNotBefore(c.nbf);
  return jwt.sign(key);
}

const asAccess = (jwt: string, extra: Record<string, string> = {}) => ({ headers: { "cf-access-jwt-assertion": jwt, ...extra } });

async function expectRefused(jwt: string): Promise<void> {
  const response = await call("/api/auth/session", asAccess(jwt));
  expect(response.status).toBe(401);
  expect(await response.json()).toMatchObject({ error: "invalid_access_token" });
}

describe("Cloudflare Access", () => {
  it("accepts a valid token and maps the email to a role (ACCESS_ROLES, then wildcard)", async () => {
    const reader = await call("/api/auth/session", asAccess(await accessJwt()));
    expect(reader.status).toBe(200);
    expect(await reader.json()).toMatchObject({
      name: "reader@example.com",
      role: "viewer",
      kind: "access",
      csrfToken: expect.any(String),
    });
    const boss = await call("/api/auth/session", asAccess(await accessJwt({ email: "boss@example.com" })));
    expect(await boss.json()).toMatchObject({ role: "admin" });
  });

  it("prefers the role of an admin_users row with that email, and refuses an identity with no role", async () => {
    await createUser("jwt-ops", "operator", { email: "ops@elsewhere.test" });
    expect(await (await call("/api/auth/session", asAccess(await accessJwt({ email: "ops@elsewhere.test" })))).json()).toMatchObject({
      role: "operator",
    });
    const stranger = await call("/api/auth/session", asAccess(await accessJwt({ email: "stranger@elsewhere.test" })));
    expect(stranger.status).toBe(403);
  });

  it("needs the CSRF token and an allowed origin for changes, like a session", async () => {
    const jwt = await accessJwt({ email: "boss@example.com" });
    const csrf = ((await (await call("/api/auth/session", asAccess(jwt))).json()) as { csrfToken: string }).csrfToken;
    const body = { target: "45.60.1.1", reason: "test" };
    const without = await call("/api/blocklist", {
      ...jsonInit("POST", body),
      ...asAccess(jwt, { "content-type": "application/json", origin: ORIGIN }),
    });
    expect(without.status).toBe(403);
    const withToken = await call("/api/blocklist", {
      ...jsonInit("POST", body),
      ...asAccess(jwt, { "content-type": "application/json", origin: ORIGIN, "x-csrf-token": csrf }),
    });
    expect(withToken.status).toBe(201);
  });

  it("refuses alg: none", async () => {
    const now = Math.floor(clock.now / 1000);
    const payload = { email: "boss@example.com", sub: "x", iss: ISSUER, aud: ACCESS_AUD, iat: now, exp: now + 600 };
    await expectRefused(`${b64url({ alg: "none", typ: "JWT" })}.${b64url(payload)}.`);
    await expectRefused(`${b64url({ alg: "none", typ: "JWT", kid: "test-kid" })}.${b64url(payload)}.${"A".repeat(43)}`);
  });

  it("refuses HS256 signed with the RSA public key (algorithm confusion)", async () => {
    const publicPem = await exportSPKI(accessKeys.publicKey);
    const now = Math.floor(clock.now / 1000);
    const forged = await new SignJWT({ email: "boss@example.com" })
      .setProtectedHeader({ alg: "HS256", kid: "test-kid" })
      .setSubject("x")
      .setIssuer(ISSUER)
      .setAudience(ACCESS_AUD)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(new TextEncoder().encode(publicPem));
    await expectRefused(forged);
  });

  it("refuses an expired token and one not yet valid", async () => {
    const now = Math.floor(clock.now / 1000);
    await expectRefused(await accessJwt({ iat: now - 7200, exp: now - 60 }));
    await expectRefused(await accessJwt({ nbf: now + 600 }));
  });

  it("refuses the wrong issuer and the wrong audience", async () => {
    await expectRefused(await accessJwt({ iss: "https://otherteam.cloudflareaccess.com" }));
    await expectRefused(await accessJwt({ aud: "another-application" }));
  });

  it("refuses a tampered payload and a token signed by a key not in the team's set", async () => {
    const [header, , signature] = (await accessJwt()).split(".");
    const now = Math.floor(clock.now / 1000);
    const elevated = b64url({ email: "boss@example.com", sub: "x", iss: ISSUER, aud: ACCESS_AUD, iat: now, exp: now + 600, type: "app" });
    await expectRefused(`${header}.${elevated}.${signature}`);
    const other = await generateKeyPair("RS256");
    await expectRefused(await accessJwt({}, other.privateKey));
  });
});

describe("session JWT", () => {
  it("refuses alg: none, a foreign secret, a tampered payload and an expired session (each answered as signed out)", async () => {
    const user = await createUser("jwt-session", "admin");
    const s = await login(user);
    const valid = s.cookie.slice("eg_session=".length);
    const [header, payload, signature] = valid.split(".");
    const claims = JSON.parse(atob((payload ?? "").replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;
    const forgedPayload = b64url({ ...claims, sub: "someone-else" });
    const foreign = await signSession("another-secret-of-at-least-32-chars!", user.name, clock.now, 3600);
    const expired = await signSession(SESSION_SECRET, user.name, clock.now - 7200_000, 3600);
    for (const token of [
      `${b64url({ alg: "none", typ: "JWT" })}.${payload}.`,
      foreign.token,
      `${header}.${forgedPayload}.${signature}`,
      expired.token,
    ]) {
      const response = await call("/api/auth/session", { headers: { cookie: `eg_session=${token}` } });
      expect(response.status).toBe(401);
    }
    expect((await call("/api/auth/session", { headers: { cookie: s.cookie } })).status).toBe(200);
  });
});
