import { describe, expect, it } from "vitest";
import { bearer, call, clock, createUser, jsonInit, login, sessionHeaders } from "./support";

describe("API tokens", () => {
  it("creates a token shown once, uses it, lists it without its value, and revokes it", async () => {
    const s = await login(await createUser("tokens-admin", "admin"));
    const created = await call("/api/tokens", {
      ...jsonInit("POST", { name: "ci-blocker", role: "operator", expiresInDays: 30 }),
      headers: { ...sessionHeaders(s), "content-type": "application/json" },
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { id: number; token: string; role: string };
    expect(body.token).toMatch(/^egt_[\w-]{43}$/);
    expect(body.role).toBe("operator");

    const used = await call("/api/blocklist", {
      ...jsonInit("POST", { target: "45.63.1.1", reason: "from ci" }),
      headers: { ...bearer(body.token), "content-type": "application/json" },
    });
    expect(used.status).toBe(201);
    expect(await used.json()).toMatchObject({ target: "45.63.1.1", source: "operator" });

    const list = (await (await call("/api/tokens", { headers: { cookie: s.cookie } })).json()) as {
      tokens: Array<Record<string, unknown>>;
    };
    const listed = list.tokens.find((t) => t.id === body.id);
    expect(listed).toMatchObject({ name: "ci-blocker", createdBy: "user:tokens-admin", lastUsedAt: expect.any(String), revokedAt: null });
    expect(JSON.stringify(list)).not.toContain(body.token);

    const revoked = await call(`/api/tokens/${body.id}`, { method: "DELETE", headers: sessionHeaders(s) });
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toMatchObject({ revokedAt: expect.any(String) });
    const after = await call("/api/decisions", { headers: bearer(body.token) });
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ error: "invalid_token" });
  });

  it("scopes a token to its role", async () => {
    const s = await login(await createUser("tokens-admin-2", "admin"));
    const created = (await (
      await call("/api/tokens", {
        ...jsonInit("POST", { name: "grafana", role: "viewer" }),
        headers: { ...sessionHeaders(s), "content-type": "application/json" },
      })
    ).json()) as { token: string };
    expect((await call("/api/decisions", { headers: bearer(created.token) })).status).toBe(200);
    const change = await call("/api/blocklist", {
      ...jsonInit("POST", { target: "45.63.1.2", reason: "x" }),
      headers: { ...bearer(created.token), "content-type": "application/json" },
    });
    expect(change.status).toBe(403);
  });

  it("stops accepting a token after it expires", async () => {
    const s = await login(await createUser("tokens-admin-3", "admin"));
    const created = (await (
      await call("/api/tokens", {
        ...jsonInit("POST", { name: "short", role: "viewer", expiresInDays: 1 }),
        headers: { ...sessionHeaders(s), "content-type": "application/json" },
      })
    ).json()) as { token: string };
    expect((await call("/api/decisions", { headers: bearer(created.token) })).status).toBe(200);
    clock.now += 2 * 86_400_000;
    expect((await call("/api/decisions", { headers: bearer(created.token) })).status).toBe(401);
  });
});
