import { describe, expect, it } from "vitest";
import { LOGIN_MAX_FAILURES_PER_IP, LOGIN_MAX_FAILURES_PER_USER } from "../../../core/admin/login-throttle";
import { ORIGIN, PASSWORD, call, clock, createUser, jsonInit, login, sessionHeaders, totpFor } from "./support";

const attempt = async (name: string, password: string, totp: string, ip: string) =>
  call("/api/auth/login", jsonInit("POST", { name, password, totp }, { "cf-connecting-ip": ip, origin: ORIGIN }));

describe("built-in login", () => {
  it("signs in with password and TOTP and sets a short-lived HttpOnly, Secure, SameSite=Strict cookie", async () => {
    const user = await createUser("auth-alice", "operator");
    clock.now += 30_000;
    const response = await attempt(user.name, PASSWORD, await totpFor(user.totpSecret), "198.51.100.1");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ name: "auth-alice", role: "operator", csrfToken: expect.any(String) });
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^eg_session=[\w-]+\.[\w-]+\.[\w-]+;/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("Secure");
    expect(cookie).toContain("SameSite=Strict");
    const session = await call("/api/auth/session", { headers: { cookie: cookie.split(";")[0] ?? "" } });
    expect(await session.json()).toMatchObject({ name: "auth-alice", role: "operator", kind: "session", actor: "user:auth-alice" });
  });

  it("refuses a wrong password, a wrong code, an unknown user and a replayed code, all with the same answer", async () => {
    const user = await createUser("auth-bob", "viewer");
    clock.now += 30_000;
    const code = await totpFor(user.totpSecret);
    const wrongCode = code === "000000" ? "111111" : "000000";
    for (const [name, password, totp] of [
      [user.name, "wrong password", code],
      [user.name, PASSWORD, wrongCode],
      ["auth-nobody", PASSWORD, code],
    ] as const) {
      const response = await attempt(name, password, totp, "198.51.100.2");
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: "invalid_credentials", message: "wrong name, password or one-time code" });
    }
    expect((await attempt(user.name, PASSWORD, code, "198.51.100.2")).status).toBe(200);
    // The same code again, inside its 30 s window: refused.
    expect((await attempt(user.name, PASSWORD, code, "198.51.100.2")).status).toBe(401);
  });

  it("rate limits failed logins per account from one address, even for the right password afterwards", async () => {
    const user = await createUser("auth-carol", "viewer");
    for (let i = 0; i < LOGIN_MAX_FAILURES_PER_USER; i++)
      expect((await attempt(user.name, `guess-${i}`, "123456", "198.51.100.10")).status).toBe(401);
    clock.now += 30_000;
    const limited = await attempt(user.name, PASSWORD, await totpFor(user.totpSecret), "198.51.100.10");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ error: "too_many_attempts" });
    // From another address, the account still works: guessing never locks the real user out.
    expect((await attempt(user.name, PASSWORD, await totpFor(user.totpSecret), "198.51.100.30")).status).toBe(200);
    // After the window, the first address works again.
    clock.now += 16 * 60_000;
    expect((await attempt(user.name, PASSWORD, await totpFor(user.totpSecret), "198.51.100.10")).status).toBe(200);
  });

  it("rate limits failed logins per address across names", async () => {
    const ip = "198.51.100.40";
    for (let i = 0; i < LOGIN_MAX_FAILURES_PER_IP; i++) await attempt(`spray-${i}`, "password1", "123456", ip);
    const user = await createUser("auth-dave", "viewer");
    clock.now += 30_000;
    expect((await attempt(user.name, PASSWORD, await totpFor(user.totpSecret), ip)).status).toBe(429);
    clock.now += 30_000;
    expect((await attempt(user.name, PASSWORD, await totpFor(user.totpSecret), "198.51.100.41")).status).toBe(200);
  });

  it("expires a session after its lifetime, and renews one past half of it", async () => {
    const user = await createUser("auth-erin", "viewer");
    const s = await login(user);
    clock.now += 40 * 60_000;
    const renewed = await call("/api/auth/session", { headers: { cookie: s.cookie } });
    expect(renewed.status).toBe(200);
    const fresh = (renewed.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    expect(fresh).toMatch(/^eg_session=/);
    clock.now += 25 * 60_000; // the original (60 min) has expired; the renewed one has not
    expect((await call("/api/auth/session", { headers: { cookie: s.cookie } })).status).toBe(401);
    expect((await call("/api/auth/session", { headers: { cookie: fresh } })).status).toBe(200);
    clock.now += 61 * 60_000;
    expect((await call("/api/auth/session", { headers: { cookie: fresh } })).status).toBe(401);
  });

  it("refuses a session whose user was disabled or whose password changed", async () => {
    const admin = await createUser("auth-frank", "admin");
    const victim = await createUser("auth-gina", "viewer");
    const adminSession = await login(admin);
    const s = await login(victim);
    clock.now += 1000;
    const patched = await call("/api/users/auth-gina", {
      ...jsonInit("PATCH", { password: "a brand new password" }),
      headers: { ...sessionHeaders(adminSession), "content-type": "application/json" },
    });
    expect(patched.status).toBe(200);
    expect((await call("/api/auth/session", { headers: { cookie: s.cookie } })).status).toBe(401);
  });

  it("logs out (API), clearing the cookie", async () => {
    const s = await login(await createUser("auth-hank", "viewer"));
    const response = await call("/api/auth/logout", { method: "POST", headers: sessionHeaders(s) });
    expect(response.status).toBe(200);
    expect(response.headers.get("set-cookie")).toMatch(/^eg_session=;.*Max-Age=0/);
  });
});

describe("login and logout forms", () => {
  it("serves the form, signs in with it, and signs out with the page's CSRF field", async () => {
    expect(await (await call("/login")).text()).toContain('<form method="post" action="/login">');
    const user = await createUser("form-ivy", "viewer");
    clock.now += 30_000;
    const body = new URLSearchParams({ name: user.name, password: PASSWORD, totp: await totpFor(user.totpSecret) });
    const signedIn = await call("/login", { method: "POST", body, headers: { origin: ORIGIN, "cf-connecting-ip": "198.51.100.50" } });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get("location")).toBe("/");
    const cookie = (signedIn.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const page = await (await call("/", { headers: { cookie } })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
    expect(csrf).toBeDefined();
    const noToken = await call("/logout", { method: "POST", body: new URLSearchParams({}), headers: { cookie, origin: ORIGIN } });
    expect(noToken.status).toBe(403);
    const out = await call("/logout", {
      method: "POST",
      body: new URLSearchParams({ _csrf: csrf ?? "" }),
      headers: { cookie, origin: ORIGIN },
    });
    expect(out.status).toBe(303);
  });

  it("shows the error on the form for bad credentials, and refuses a cross-site login", async () => {
    const body = new URLSearchParams({ name: "form-nobody", password: "x", totp: "123456" });
    const bad = await call("/login", { method: "POST", body, headers: { origin: ORIGIN, "cf-connecting-ip": "198.51.100.51" } });
    expect(bad.status).toBe(401);
    expect(await bad.text()).toContain("wrong name, password or one-time code");
    const crossSite = await call("/login", {
      method: "POST",
      body,
      headers: { origin: "https://evil.example", "cf-connecting-ip": "198.51.100.51" },
    });
    expect(crossSite.status).toBe(403);
  });
});

describe("signing in again", () => {
  it("does not need a CSRF token when a (stale) session cookie is still sent", async () => {
    const user = await createUser("auth-again", "viewer");
    const s = await login(user);
    clock.now += 30_000;
    const again = await call(
      "/api/auth/login",
      jsonInit(
        "POST",
        { name: user.name, password: PASSWORD, totp: await totpFor(user.totpSecret) },
        { cookie: s.cookie, origin: ORIGIN, "cf-connecting-ip": "198.51.100.60" },
      ),
    );
    expect(again.status).toBe(200);
  });
});
