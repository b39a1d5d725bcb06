import { describe, expect, it } from "vitest";
import { ORIGIN, bearer, call, clock, createUser, jsonInit, login, sessionHeaders, totpFor } from "./support";

describe("users", () => {
  it("creates a user whose TOTP secret is shown once, who can then sign in", async () => {
    const s = await login(await createUser("users-root", "admin"));
    const h = { ...sessionHeaders(s), "content-type": "application/json" };
    const created = await call("/api/users", {
      ...jsonInit("POST", { name: "users-new", role: "viewer", password: "a long enough password" }),
      headers: h,
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { user: Record<string, unknown>; totpSecret: string; otpauthUri: string };
    expect(body.user).toMatchObject({ name: "users-new", role: "viewer", hasPassword: true, hasTotp: true });
    expect(body.otpauthUri).toContain(`secret=${body.totpSecret}`);
    expect((await call("/api/users", { ...jsonInit("POST", { name: "users-new", role: "viewer" }), headers: h })).status).toBe(409);
    const list = await (await call("/api/users", { headers: { cookie: s.cookie } })).text();
    expect(list).toContain("users-new");
    expect(list).not.toContain(body.totpSecret);
    expect(list).not.toContain("pbkdf2");

    clock.now += 30_000;
    const signIn = await call(
      "/api/auth/login",
      jsonInit(
        "POST",
        { name: "users-new", password: "a long enough password", totp: await totpFor(body.totpSecret) },
        { origin: ORIGIN, "cf-connecting-ip": "198.51.100.90" },
      ),
    );
    expect(signIn.status).toBe(200);
  });

  it("changes a role, deletes a user, and refuses an admin's change to their own account", async () => {
    const s = await login(await createUser("users-root-2", "admin"));
    const h = { ...sessionHeaders(s), "content-type": "application/json" };
    await createUser("users-temp", "viewer");
    const promoted = await call("/api/users/users-temp", { ...jsonInit("PATCH", { role: "operator" }), headers: h });
    expect(await promoted.json()).toMatchObject({ user: { role: "operator" }, totpSecret: null });
    expect((await call("/api/users/users-temp", { method: "DELETE", headers: sessionHeaders(s) })).status).toBe(200);
    expect((await call("/api/users/users-temp", { method: "DELETE", headers: sessionHeaders(s) })).status).toBe(404);
    // An admin cannot demote, disable or delete themselves (nor leave no enabled admin at all).
    const self = await call("/api/users/users-root-2", { ...jsonInit("PATCH", { role: "viewer" }), headers: h });
    expect(self.status).toBe(409);
    expect(await self.json()).toMatchObject({ error: "self_change" });
    expect((await call("/api/users/users-root-2", { method: "DELETE", headers: sessionHeaders(s) })).status).toBe(409);
  });

  it("keeps users and tokens to admins", async () => {
    const s = await login(await createUser("users-op", "operator"));
    expect((await call("/api/users", { headers: { cookie: s.cookie } })).status).toBe(403);
    expect((await call("/api/tokens", { headers: bearer("egt_x") })).status).toBe(401);
  });
});
