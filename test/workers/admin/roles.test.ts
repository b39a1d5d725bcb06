import { describe, expect, it } from "vitest";
// createApp mounts every route, the peers routes too, so app.routes is the whole router.
import { apiToken, app, bearer, call } from "./support";

interface Operation {
  "x-required-role"?: string;
  security?: unknown[];
}
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> };

const doc = async () => (await (await call("/api/openapi.json")).json()) as Doc;
const MUTATING = new Set(["post", "put", "patch", "delete"]);
// Operations a viewer may POST: they change nothing.
const VIEWER_POSTS = new Set([
  "post /api/auth/logout",
  "post /api/policy/validate",
  "post /api/policy/dry-run",
  "post /api/ledger/price-dry-run",
]);
const PUBLIC = new Set([
  "post /api/auth/login",
  // Peering's public routes: a peer proves itself by its signature (peers-push.test.ts), never by a role.
  "get /.well-known/edge-guard/peer-key",
  "get /api/peers/feed",
  "post /api/peers/push",
  // A crawler proves itself by its Web Bot Auth signature; a gateway by its webhook signature.
  "post /api/accounts/register",
  "post /api/payments/stripe/webhook",
  "post /api/payments/http/webhook",
]);

function concrete(path: string): string {
  return path.replace("{id}", "1").replace("{name}", "nobody");
}

describe("roles", () => {
  it("documents a required role on every operation, and at least operator on every change", async () => {
    const { paths } = await doc();
    const operations = Object.entries(paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ id: `${method} ${path}`, method, op })),
    );
    expect(operations.length).toBeGreaterThan(25);
    for (const { id, method, op } of operations) {
      expect(op["x-required-role"], id).toMatch(PUBLIC.has(id) ? /^public$/ : /^(viewer|operator|admin)$/);
      if (MUTATING.has(method) && !VIEWER_POSTS.has(id) && !PUBLIC.has(id)) expect(op["x-required-role"], id).not.toBe("viewer");
    }
  });

  it("refuses every change to a viewer with 403 before looking at the input", async () => {
    const { paths } = await doc();
    const viewer = bearer(await apiToken("viewer", "roles-viewer"));
    let checked = 0;
    for (const [path, ops] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const id = `${method} ${path}`;
        if (!MUTATING.has(method) || VIEWER_POSTS.has(id) || PUBLIC.has(id)) continue;
        const response = await call(concrete(path), {
          method: method.toUpperCase(),
          headers: { ...viewer, "content-type": "application/json" },
          body: "{}",
        });
        expect(response.status, id).toBe(403);
        expect(await response.json(), id).toMatchObject({ error: "forbidden" });
        expect(op["x-required-role"]).not.toBe("viewer");
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(15);
  });

  it("refuses every change the router knows, documented or not, to a viewer (app.routes, not the OpenAPI document)", async () => {
    // Changes that do not go through a role, each for a stated reason. A new mutating route lands here or fails.
    const OPEN: Record<string, string> = {
      "POST /api/auth/login": "the login form",
      "POST /api/auth/logout": "changes nothing but the caller's own session",
      "POST /api/policy/validate": "read-only check",
      "POST /api/policy/dry-run": "read-only replay",
      "POST /login": "the dashboard's login form",
      "POST /logout": "ends the caller's own session",
      "POST /api/peers/push": "a peer's signed push: authenticated by its JWS signature, not by a role (tested below)",
      "POST /api/ledger/price-dry-run": "read-only estimate",
      "POST /api/accounts/register": "a crawler's request, authenticated by its Web Bot Auth signature (accounts.test.ts)",
      "POST /api/payments/stripe/webhook": "Stripe's call, authenticated by Stripe-Signature (accounts.test.ts)",
      "POST /api/payments/http/webhook": "the gateway's call, authenticated by X-Signature (accounts.test.ts)",
    };
    const viewer = bearer(await apiToken("viewer", "roles-viewer-routes"));
    const mutating = [...new Set(app.routes.filter((r) => MUTATING.has(r.method.toLowerCase())).map((r) => `${r.method} ${r.path}`))];
    expect(mutating.length).toBeGreaterThanOrEqual(15);
    for (const id of mutating) {
      if (id in OPEN) continue;
      const [method = "", path = ""] = id.split(" ");
      const response = await call(path.replace(/:[a-zA-Z]+/g, "nobody").replaceAll("*", "x"), {
        method,
        headers: { ...viewer, "content-type": "application/json" },
        body: "{}",
      });
      // The role check comes first, peering's management routes included (configured or not).
      expect(response.status, id).toBe(403);
    }
    expect(
      Object.keys(OPEN).filter((id) => !mutating.includes(id)),
      "OPEN lists a route the router no longer has",
    ).toEqual([]);
  });

  it("authenticates /api/peers/push by its signature, never by a role: an unsigned push is refused even from an admin", async () => {
    // The signed path (trusted key, audience, replay) is in peers-push.test.ts; here: no role opens this route.
    const push = (headers: Record<string, string>) =>
      call("/api/peers/push", { method: "POST", body: "not.a.jws", headers: { ...headers, "content-type": "application/jose" } });
    const anonymous = await push({});
    expect(anonymous.status).toBeGreaterThanOrEqual(400);
    expect(anonymous.status).toBeLessThan(500);
    const { error } = (await anonymous.json()) as { error: string };
    expect(error).toEqual(expect.any(String));
    for (const role of ["viewer", "admin"] as const) {
      const withRole = await push(bearer(await apiToken(role, `roles-push-${role}`)));
      expect([withRole.status, ((await withRole.json()) as { error: string }).error], role).toEqual([anonymous.status, error]);
    }
  });

  it("lets an operator change blocklists but not users or tokens", async () => {
    const operator = bearer(await apiToken("operator", "roles-operator"));
    expect((await call("/api/users", { headers: operator })).status).toBe(403);
    expect(
      (await call("/api/tokens", { method: "POST", headers: { ...operator, "content-type": "application/json" }, body: "{}" })).status,
    ).toBe(403);
    const added = await call("/api/blocklist", {
      method: "POST",
      headers: { ...operator, "content-type": "application/json" },
      body: JSON.stringify({ target: "45.61.0.0/16", reason: "roles test" }),
    });
    expect(added.status).toBe(201);
  });

  it("answers 401, not 403, to an anonymous change and to a bad token", async () => {
    expect((await call("/api/blocklist", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status).toBe(
      401,
    );
    const bad = await call("/api/decisions", { headers: bearer("egt_not-a-real-token") });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: "invalid_token" });
  });
});
