import { and, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withDb } from "../../../adapters/db/client";
import { apiTokens, auditLog } from "../../../adapters/db/schema";
import { LOGIN_MAX_FAILURES_PER_IP, LOGIN_MAX_FAILURES_PER_USER } from "../../../core/admin/login-throttle";
import { createApp } from "../../../workers/admin/app";
import { claimLoginAttempt } from "../../../workers/admin/auth/throttle";
import { createToken } from "../../../workers/admin/auth/tokens-store";
import { ORIGIN, PASSWORD, baseEnv, bearer, call, clock, createUser, jsonInit, login, sessionHeaders, testEnv, totpFor } from "./support";

const attempt = async (name: string, password: string, totp: string, ip: string) =>
  call("/api/auth/login", jsonInit("POST", { name, password, totp }, { "cf-connecting-ip": ip, origin: ORIGIN }));
const auditOf = (target: string, actions: string[]) =>
  withDb(baseEnv, (d) =>
    d
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.target, target), inArray(auditLog.action, actions)))
      .orderBy(auditLog.id),
  );

describe("login throttle under attack", () => {
  it("lets at most the per-address limit past the check when attempts arrive together", async () => {
    // Every attempt is checked before any of them has finished hashing: the check itself must count the attempt.
    const now = clock.now;
    const passed = await withDb(baseEnv, async (d) => {
      let n = 0;
      for (let i = 0; i < 200; i++) if ((await claimLoginAttempt(d, "abuse-race", "203.0.113.50", now)).allowed) n++;
      return n;
    });
    expect(passed).toBeLessThanOrEqual(LOGIN_MAX_FAILURES_PER_USER);
  });

  it("answers hundreds of parallel wrong attempts with at most the limit checked, and the real admin still signs in elsewhere", async () => {
    const admin = await createUser("abuse-admin", "admin");
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => attempt(admin.name, `guess-${i}`, "123456", "203.0.113.51")));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(LOGIN_MAX_FAILURES_PER_USER);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    console.log(
      `login burst: ${statuses.length} parallel wrong attempts from one address, ${statuses.filter((s) => s === 401).length} checked, ${statuses.filter((s) => s === 429).length} refused before hashing`,
    );
    clock.now += 30_000;
    expect((await attempt(admin.name, PASSWORD, await totpFor(admin.totpSecret), "198.51.100.77")).status).toBe(200);
  });

  it("slows, but never locks out, an account guessed at from many addresses", async () => {
    const delays: number[] = [];
    const slowApp = createApp({
      accessKeys: () => async () => {
        throw new Error("no Access here");
      },
      now: () => clock.now,
      sleep: async (ms) => void delays.push(ms),
    });
    const env = testEnv();
    const admin = await createUser("abuse-admin-2", "admin");
    for (let a = 0; a < 6; a++) {
      for (let i = 0; i < LOGIN_MAX_FAILURES_PER_USER; i++) {
        const r = await slowApp.request(
          `${ORIGIN}/api/auth/login`,
          jsonInit(
            "POST",
            { name: admin.name, password: `g-${a}-${i}`, totp: "123456" },
            { "cf-connecting-ip": `203.0.113.${60 + a}`, origin: ORIGIN },
          ),
          env,
        );
        expect(r.status).toBe(401);
      }
    }
    clock.now += 30_000;
    const real = await slowApp.request(
      `${ORIGIN}/api/auth/login`,
      jsonInit(
        "POST",
        { name: admin.name, password: PASSWORD, totp: await totpFor(admin.totpSecret) },
        { "cf-connecting-ip": "198.51.100.78", origin: ORIGIN },
      ),
      env,
    );
    expect(real.status).toBe(200);
    expect(Math.max(...delays)).toBeGreaterThan(0);
    console.log(
      `distributed guessing: 30 failures from 6 addresses; the real admin signed in from a 7th after a ${Math.max(...delays)} ms delay`,
    );
  });

  it("stops one address after its own limit, across names", async () => {
    const ip = "203.0.113.70";
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_MAX_FAILURES_PER_IP + 3; i++)
      statuses.push((await attempt(`abuse-spray-${i}`, "password1", "123456", ip)).status);
    expect(statuses.filter((s) => s === 401).length).toBe(LOGIN_MAX_FAILURES_PER_IP);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe("auth audit trail", () => {
  it("records failed logins, the lockout that follows, and logouts", async () => {
    const user = await createUser("abuse-audited", "viewer");
    for (let i = 0; i < LOGIN_MAX_FAILURES_PER_USER + 2; i++) await attempt(user.name, `nope-${i}`, "123456", "203.0.113.80");
    const trail = await auditOf(`user:${user.name}`, ["auth.login_failed", "auth.lockout"]);
    expect(trail.filter((r) => r.action === "auth.login_failed")).toHaveLength(LOGIN_MAX_FAILURES_PER_USER);
    expect(trail.filter((r) => r.action === "auth.lockout")).toHaveLength(1);
    expect(trail[0]?.new).toMatchObject({ ip: "203.0.113.80" });

    const s = await login(user, "198.51.100.81");
    const out = await call("/api/auth/logout", { method: "POST", headers: sessionHeaders(s) });
    expect(out.status).toBe(200);
    expect((await auditOf(`user:${user.name}`, ["auth.logout"])).map((r) => r.actor)).toEqual([`user:${user.name}`]);
  });
});

describe("API tokens and their creator", () => {
  const makeToken = async (creator: string, expiresAt: Date | null = null) =>
    (await withDb(baseEnv, (d) => createToken(d, { name: `of-${creator}`, role: "viewer", createdBy: `user:${creator}`, expiresAt })))
      .token;

  it("stops a token when its creator is disabled or deleted", async () => {
    const boss = await login(await createUser("abuse-boss", "admin"));
    await createUser("abuse-leaver", "operator");
    await createUser("abuse-gone", "operator");
    const disabledOnes = await makeToken("abuse-leaver");
    const deletedOnes = await makeToken("abuse-gone");
    expect((await call("/api/decisions", { headers: bearer(disabledOnes) })).status).toBe(200);
    const patch = await call("/api/users/abuse-leaver", {
      ...jsonInit("PATCH", { disabled: true }),
      headers: { ...sessionHeaders(boss), "content-type": "application/json" },
    });
    expect(patch.status).toBe(200);
    const deleted = await call("/api/users/abuse-gone", { method: "DELETE", headers: sessionHeaders(boss) });
    expect(deleted.status).toBe(200);
    for (const token of [disabledOnes, deletedOnes]) {
      const r = await call("/api/decisions", { headers: bearer(token) });
      expect(r.status).toBe(401);
      expect(await r.json()).toMatchObject({ error: "invalid_token" });
    }
  });

  it("refuses to create a token longer-lived than the configured maximum, and retires old unlimited ones", async () => {
    const s = await login(await createUser("abuse-token-admin", "admin"));
    const env = testEnv({ API_TOKEN_MAX_DAYS: "30" });
    const post = (body: unknown) =>
      app30(env, "/api/tokens", { ...jsonInit("POST", body), headers: { ...sessionHeaders(s), "content-type": "application/json" } });
    for (const expiresInDays of [null, 31]) {
      const r = await post({ name: "forever", role: "viewer", expiresInDays });
      expect(r.status).toBe(400);
      expect(await r.json()).toMatchObject({ error: "token_lifetime_too_long" });
    }
    expect((await post({ name: "month", role: "viewer", expiresInDays: 30 })).status).toBe(201);
    // A token made before the maximum existed, with no end: it stops once it is older than the maximum.
    const old = await makeToken("abuse-token-admin");
    await withDb(baseEnv, (d) =>
      d
        .update(apiTokens)
        .set({ createdAt: new Date(clock.now - 31 * 86_400_000) })
        .where(eq(apiTokens.createdBy, "user:abuse-token-admin")),
    );
    expect((await app30(env, "/api/decisions", { headers: bearer(old) })).status).toBe(401);
    // The default maximum (no var set) also applies.
    expect(
      (
        await call("/api/tokens", {
          ...jsonInit("POST", { name: "forever", role: "viewer", expiresInDays: null }),
          headers: { ...sessionHeaders(s), "content-type": "application/json" },
        })
      ).status,
    ).toBe(400);
  });
});

const app30 = (env: ReturnType<typeof testEnv>, path: string, init: RequestInit) => call(path, init, env);
