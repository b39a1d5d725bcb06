import { describe, expect, it } from "vitest";
import { DASHBOARD_ORIGIN, ORIGIN, apiToken, bearer, call, createUser, jsonInit, login, sessionHeaders } from "./support";

describe("security headers", () => {
  it.each(["/login", "/api/openapi.json", "/api/decisions", "/nowhere"])(
    "sets CSP, frame denial, Referrer-Policy, Permissions-Policy and no-store on %s",
    async (path) => {
      const response = await call(path);
      const h = response.headers;
      expect(h.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(h.get("content-security-policy")).toContain("default-src 'self'");
      expect(h.get("x-frame-options")).toBe("DENY");
      expect(h.get("referrer-policy")).toBe("no-referrer");
      expect(h.get("permissions-policy")).toContain("camera=()");
      expect(h.get("x-content-type-options")).toBe("nosniff");
      expect(h.get("cache-control")).toBe("no-store");
    },
  );
});

describe("CORS", () => {
  it("allows the configured origin, with credentials, and answers its preflight", async () => {
    const token = await apiToken("viewer", "cors-viewer");
    const response = await call("/api/decisions?limit=1", { headers: { ...bearer(token), origin: DASHBOARD_ORIGIN } });
    expect(response.headers.get("access-control-allow-origin")).toBe(DASHBOARD_ORIGIN);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    const preflight = await call("/api/blocklist", {
      method: "OPTIONS",
      headers: {
        origin: DASHBOARD_ORIGIN,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,x-csrf-token",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(DASHBOARD_ORIGIN);
    expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("x-csrf-token");
  });

  it("gives any other origin no CORS grant", async () => {
    const response = await call("/api/decisions?limit=1", {
      headers: { ...bearer(await apiToken("viewer", "cors-viewer-2")), origin: "https://evil.example" },
    });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await call("/api/blocklist", {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("CSRF", () => {
  it("refuses a cookie-authenticated change without the token, with a wrong one, and from another site", async () => {
    const s = await login(await createUser("csrf-olga", "operator"));
    const body = { target: "45.62.1.1", reason: "csrf test" };
    const post = (headers: Record<string, string>) =>
      call("/api/blocklist", { ...jsonInit("POST", body), headers: { "content-type": "application/json", ...headers } });
    const attempts: Record<string, string>[] = [
      { cookie: s.cookie, origin: ORIGIN },
      { cookie: s.cookie, origin: ORIGIN, "x-csrf-token": "wrong" },
      { cookie: s.cookie, origin: "https://evil.example", "x-csrf-token": s.csrf },
      { cookie: s.cookie, "sec-fetch-site": "cross-site", "x-csrf-token": s.csrf },
    ];
    for (const headers of attempts) {
      const response = await post(headers);
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: "csrf_failed" });
    }
    expect((await post(sessionHeaders(s))).status).toBe(201);
    // The configured dashboard origin may make changes too.
    expect((await post(sessionHeaders(s, { origin: DASHBOARD_ORIGIN }))).status).toBe(201);
  });

  it("does not ask API tokens (not sent by browsers on their own) for a CSRF token", async () => {
    const response = await call("/api/blocklist", {
      ...jsonInit("POST", { target: "45.62.1.2", reason: "token" }),
      headers: { ...bearer(await apiToken("operator", "csrf-token")), "content-type": "application/json", origin: "https://evil.example" },
    });
    expect(response.status).toBe(201);
  });
});

describe("API description and errors", () => {
  it("serves an OpenAPI 3.1 document generated from the route schemas", async () => {
    const response = await call("/api/openapi.json");
    expect(response.status).toBe(200);
    const doc = (await response.json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toBe("3.1.0");
    for (const path of [
      "/api/decisions",
      "/api/blocklist",
      "/api/blocklist/import",
      "/api/allowlist",
      "/api/policy",
      "/api/policy/dry-run",
      "/api/audit",
      "/api/overview",
      "/api/tokens/{id}",
      "/api/users/{name}",
      "/api/auth/login",
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(["Error", "Decision", "BlocklistEntry", "AuditEvent", "PolicyDryRun"]),
    );
    expect(Object.keys(doc.components.securitySchemes)).toEqual(
      expect.arrayContaining(["bearerToken", "sessionCookie", "cloudflareAccess"]),
    );
  });

  it("answers every error as { error, message }: unknown route, malformed JSON, wrong media type", async () => {
    const token = bearer(await apiToken("operator", "errors-operator"));
    const missing = await call("/api/nothing-here", { headers: token });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "not_found", message: expect.any(String) });
    const malformed = await call("/api/blocklist", {
      method: "POST",
      headers: { ...token, "content-type": "application/json" },
      body: "{not json",
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ error: "invalid_request", message: expect.any(String) });
    const wrongType = await call("/api/blocklist", {
      method: "POST",
      headers: { ...token, "content-type": "text/plain" },
      body: "45.1.1.1",
    });
    expect(wrongType.status).toBe(415);
    expect(await wrongType.json()).toEqual({ error: "unsupported_media_type", message: expect.any(String) });
  });
});
