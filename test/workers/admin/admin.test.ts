import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ORIGIN, apiToken, baseEnv, bearer, call, insertDecision, testEnv } from "./support";

const HOSTILE_UA = `<script>alert("x")</script> GPTBot/1.2`;

describe("admin decisions (page and JSON)", () => {
  it("lists the latest decisions as JSON, newest first, for a viewer token", async () => {
    await insertDecision("admin-json-1", "192.0.2.10", { userAgent: "first" });
    await insertDecision("admin-json-2", "192.0.2.11", { userAgent: "second" });
    const response = await call("/api/decisions?limit=2", { headers: bearer(await apiToken("viewer")) });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      decisions: Array<{ ip: string; modelScore: number; reasons: unknown; blocked: boolean }>;
      nextCursor: string | null;
    };
    expect(body.decisions.map((d) => d.ip)).toEqual(["192.0.2.11", "192.0.2.10"]);
    expect(body.decisions[0]).toMatchObject({ modelScore: 0.97, blocked: true, reasons: [{ code: "ua-ai-crawler" }] });
  });

  it("shows decisions on the HTML page with reasons and scores, escaping what the client sent", async () => {
    await insertDecision("admin-html-1", "192.0.2.12", { userAgent: HOSTILE_UA });
    const response = await call("/", { headers: bearer(await apiToken("viewer")) });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
    const html = await response.text();
    expect(html).toContain("192.0.2.12");
    expect(html).toContain("ua-ai-crawler (GPTBot)");
    expect(html).toContain("0.970");
    expect(html).not.toContain("<script>alert");
    expect(html).toContain("&lt;script&gt;");
  });

  it("shows the fleet groups challenged now, with their evidence and members, escaped; expired ones are gone", async () => {
    const now = Date.now();
    const group = (name: string, until: number) => ({
      group: name,
      since: now - 60_000,
      until,
      members: ["24.30.0.10", "24.31.7.11", "24.32.14.12"],
      addresses: 25,
      evidence: { "group-no-subresources": 3, "honeypot-foreign": 2 },
      userAgent: HOSTILE_UA,
    });
    await baseEnv.BLOCKLIST.put(
      "fleet:index",
      JSON.stringify({ at: now, groups: [group("live1.abc", now + 3_600_000), group("gone1.abc", now - 1)] }),
    );
    try {
      const html = await (await call("/", { headers: bearer(await apiToken("viewer")) })).text();
      expect(html).toContain("Fleet groups challenged now");
      expect(html).toContain("live1.abc");
      expect(html).not.toContain("gone1.abc");
      expect(html).toContain("group-no-subresources × 3");
      expect(html).toContain('href="/decisions?ip=24.31.7.11"');
      expect(html).toContain("and 22 more");
      expect(html).not.toContain("<script>alert");
    } finally {
      await baseEnv.BLOCKLIST.delete("fleet:index");
    }
  });

  it("sends an anonymous browser to the login page, and an anonymous API call gets 401", async () => {
    const page = await call("/");
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe("/login");
    const api = await call("/api/decisions");
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({ error: "unauthenticated" });
  });

  it("rejects a bad limit with a stable code and a message naming the field", async () => {
    const response = await call("/api/decisions?limit=abc", { headers: bearer(await apiToken("viewer")) });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_request", message: expect.stringContaining("limit") });
  });

  it("answers 503 with a clear code when the database is unreachable", async () => {
    const response = await call("/api/decisions", { headers: bearer("egt_whatever") }, testEnv({ NEON_LOCAL_PROXY: "127.0.0.1:1" }));
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: "database_unavailable" });
  });

  it("accepts ADMIN_DEV_TOKEN only when DEV_MODE is on (what the dev stack and e2e use)", async () => {
    const token = "dev-token-for-tests-0123456789";
    const on = await call("/api/decisions?limit=1", { headers: bearer(token) }, testEnv({ DEV_MODE: "on", ADMIN_DEV_TOKEN: token }));
    expect(on.status).toBe(200);
    const off = await call("/api/decisions?limit=1", { headers: bearer(token) }, testEnv({ DEV_MODE: "off", ADMIN_DEV_TOKEN: token }));
    expect(off.status).toBe(401);
  });

  it("serves the deployed entrypoint with the committed wrangler.toml (no secrets: login is off, health is up)", async () => {
    const health = await exports.default.fetch(`${ORIGIN}/healthz`);
    expect(health.status).toBe(200);
    const login = await exports.default.fetch(`${ORIGIN}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "x", password: "y", totp: "123456" }),
    });
    expect(login.status).toBe(503);
    expect(await login.json()).toMatchObject({ error: "login_unavailable" });
    expect(baseEnv.DEV_MODE).toBe("off");
  });
});

describe("dev login (ADMIN_DEV_USER)", () => {
  it("exists only when DEV_MODE is on", async () => {
    const { totpFor, clock, jsonInit, ORIGIN } = await import("./support");
    const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    const vars = { ADMIN_DEV_USER: `devadmin:dev-password-123:${secret}` };
    const attempt = async (devMode: string) => {
      clock.now += 30_000;
      const body = { name: "devadmin", password: "dev-password-123", totp: await totpFor(secret) };
      return call(
        "/api/auth/login",
        jsonInit("POST", body, { origin: ORIGIN, "cf-connecting-ip": "198.51.100.120" }),
        testEnv({ ...vars, DEV_MODE: devMode }),
      );
    };
    expect((await attempt("off")).status).toBe(401);
    const on = await attempt("on");
    expect(on.status).toBe(200);
    expect(await on.json()).toMatchObject({ name: "devadmin", role: "admin" });
  });
});
