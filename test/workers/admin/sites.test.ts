import { beforeAll, describe, expect, it } from "vitest";
import { withDb } from "../../../adapters/db/client";
import { kvKeys, siteKeys } from "../../../core/kv-keys";
import { createToken } from "../../../workers/admin/auth/tokens-store";
import "../../../workers/admin/index";
import { apiToken, baseEnv, bearer, call, insertDecision, jsonInit } from "./support";

type Json = Record<string, unknown>;
const body = async (response: Response) => (await response.json()) as Json;

/** A token limited to some sites, made directly in the database like `apiToken`. */
async function scopedToken(role: "viewer" | "operator", sites: string[], name: string): Promise<string> {
  return (await withDb(baseEnv, (d) => createToken(d, { name, role, createdBy: "test", expiresAt: null, sites }))).token;
}

let admin: Record<string, string>;
let blogOperator: Record<string, string>;

beforeAll(async () => {
  admin = bearer(await apiToken("admin", "sites-admin"));
  for (const site of [
    { id: "blog", name: "Blog", hostnames: ["blog.example.org"] },
    { id: "forge", name: "Forge", hostnames: ["forge.example.org", "*.forge.example.org"] },
  ]) {
    const created = await call("/api/sites", jsonInit("POST", site, admin));
    expect(created.status, await created.clone().text()).toBe(201);
  }
  blogOperator = bearer(await scopedToken("operator", ["blog"], "blog-operator"));
});

describe("/api/sites", () => {
  it("stores the sites where the edge reads them, and refuses an overlap naming it", async () => {
    expect(JSON.parse((await baseEnv.BLOCKLIST.get(kvKeys.sites)) ?? "null")).toMatchObject({
      v: 1,
      sites: [{ id: "blog" }, { id: "forge" }],
    });
    const overlap = await call("/api/sites", jsonInit("POST", { id: "git", name: "Git", hostnames: ["git.forge.example.org"] }, admin));
    expect(overlap.status).toBe(422);
    expect(await body(overlap)).toMatchObject({
      error: "invalid_sites",
      message: "hostnames overlap: *.forge.example.org (site forge) and git.forge.example.org (site git) both match git.forge.example.org",
    });
    const twice = await call("/api/sites", jsonInit("POST", { id: "blog", name: "Blog", hostnames: [] }, admin));
    expect(twice.status).toBe(409);
    expect((await call("/api/sites", jsonInit("POST", { id: "x", name: "X", hostnames: [] }, blogOperator))).status).toBe(403);
    expect((await call("/api/sites/default", { method: "DELETE", headers: admin })).status).toBe(409);
  });

  it("keeps a site's tarpit corpus, refuses a malformed one, and clears it with null", async () => {
    const created = await call(
      "/api/sites",
      jsonInit("POST", { id: "wiki", name: "Wiki", hostnames: ["wiki.example.org"], corpus: "wiki-text" }, admin),
    );
    expect(await body(created)).toMatchObject({ id: "wiki", corpus: "wiki-text" });
    const doc = async () => JSON.parse((await baseEnv.BLOCKLIST.get(kvKeys.sites)) ?? "null") as { sites: Json[] };
    expect((await doc()).sites.find((s) => s.id === "wiki")).toMatchObject({ corpus: "wiki-text" });
    const bad = await call("/api/sites/wiki", jsonInit("PATCH", { corpus: "../Bad" }, admin));
    expect(bad.status).toBe(400);
    const cleared = await call("/api/sites/wiki", jsonInit("PATCH", { corpus: null }, admin));
    expect(cleared.status).toBe(200);
    expect((await doc()).sites.find((s) => s.id === "wiki")).not.toHaveProperty("corpus");
    expect((await call("/api/sites/wiki", { method: "DELETE", headers: admin })).status).toBe(200);
  });

  it("lists every site to an admin and only their own to a site operator", async () => {
    const all = await body(await call("/api/sites", { headers: admin }));
    expect((all.sites as Json[]).map((s) => s.id)).toEqual(["default", "blog", "forge"]);
    const mine = await body(await call("/api/sites", { headers: blogOperator }));
    expect(mine.sites).toEqual([{ id: "blog", name: "Blog", hostnames: ["blog.example.org"] }]);
    expect((await body(await call("/api/auth/session", { headers: blogOperator }))).sites).toEqual(["blog"]);
  });
});

describe("site-scoped routes", () => {
  it("refuses another site with 403 forbidden_site (existing or not) and an unknown one with 404 unknown_site", async () => {
    for (const path of ["/api/policy?site=forge", "/api/blocklist?site=forge", "/api/decisions", "/api/policy?site=nowhere"]) {
      const response = await call(path, { headers: blogOperator });
      expect(response.status, path).toBe(403);
      expect((await body(response)).error, path).toBe("forbidden_site");
    }
    const unknown = await call("/api/policy?site=nowhere", { headers: admin });
    expect(unknown.status).toBe(404);
    expect((await body(unknown)).error).toBe("unknown_site");
    expect((await call("/api/policy?site=Not_A_Slug", { headers: admin })).status).toBe(400);
  });

  it("a policy change on one site leaves the others as they were", async () => {
    const observe = { version: 1, preset: "moderate", mode: "observe", rules: [] };
    const put = await call("/api/policy?site=blog", jsonInit("PUT", { policy: observe }, blogOperator));
    expect(put.status, await put.clone().text()).toBe(200);
    expect(JSON.parse((await baseEnv.BLOCKLIST.get(siteKeys("blog").policy)) ?? "null")).toEqual(observe);
    expect(await baseEnv.BLOCKLIST.get(siteKeys("forge").policy)).toBeNull();
    const history = await body(await call("/api/policy/history?site=blog", { headers: blogOperator }));
    expect(history.versions).toHaveLength(1);
    expect((await body(await call("/api/policy/history?site=forge", { headers: admin }))).versions).toEqual([]);
  });

  it("a new site starts in observe mode (the bundled policy, watching), and one action switches it to enforce", async () => {
    const fresh = await body(await call("/api/policy?site=forge", { headers: admin }));
    expect(fresh).toMatchObject({ source: "default", policy: { mode: "observe" }, mode: { inForce: "observe" } });
    // The default site keeps the bundled mode: a single-site deployment protects at once.
    expect(await body(await call("/api/policy", { headers: admin }))).toMatchObject({ source: "default", policy: { mode: "enforce" } });
    const switched = await call("/api/policy/mode?site=forge", jsonInit("PUT", { mode: "enforce" }, admin));
    expect(switched.status, await switched.clone().text()).toBe(200);
    expect(await body(switched)).toMatchObject({ source: "kv", policy: { mode: "enforce" }, mode: { inForce: "enforce" } });
    expect(JSON.parse((await baseEnv.BLOCKLIST.get(siteKeys("forge").policy)) ?? "null")).toMatchObject({ mode: "enforce" });
    expect(JSON.parse((await baseEnv.BLOCKLIST.get(siteKeys("blog").policy)) ?? "null")).toMatchObject({ mode: "observe" });
  });

  it("a block on one site is that site's entry only; a shared one is listed as shared", async () => {
    const add = await call(
      "/api/blocklist?site=blog",
      jsonInit("POST", { target: "45.96.1.41", reason: "scraper on the blog", ttlSeconds: null }, blogOperator),
    );
    expect(add.status, await add.clone().text()).toBe(201);
    expect(await baseEnv.BLOCKLIST.get(siteKeys("blog").ip("45.96.1.41"))).not.toBeNull();
    expect(await baseEnv.BLOCKLIST.get(kvKeys.ip("45.96.1.41"))).toBeNull();
    const blogList = await body(await call("/api/blocklist?site=blog&kind=ip", { headers: blogOperator }));
    expect((blogList.entries as Json[]).map((e) => e.target)).toEqual(["45.96.1.41"]);
    const forgeList = await body(await call("/api/blocklist?site=forge&kind=ip", { headers: admin }));
    expect(forgeList.entries).toEqual([]);

    const shared = await call(
      "/api/blocklist?site=blog",
      jsonInit("POST", { target: "45.96.1.42", reason: "shared across my sites", ttlSeconds: null, shared: true }, blogOperator),
    );
    expect(await body(shared)).toMatchObject({ kind: "ip", target: "45.96.1.42", shared: true, key: "site:blog:cidr:45.96.1.42/32" });
    const ranges = await body(await call("/api/blocklist?site=blog&kind=cidr", { headers: blogOperator }));
    expect(ranges.entries).toEqual([expect.objectContaining({ target: "45.96.1.42", shared: true })]);
    const removed = await call("/api/blocklist?site=blog&target=45.96.1.42", { method: "DELETE", headers: blogOperator });
    expect(removed.status).toBe(200);
  });

  it("an import into one site writes that site's entries only (addresses, networks, AS numbers)", async () => {
    const text = "45.96.3.7\n45.96.4.0/24\nAS64000\n";
    const imported = await call(
      "/api/blocklist/import?site=blog",
      jsonInit("POST", { text, reason: "blog list", ttlSeconds: null }, blogOperator),
    );
    expect(imported.status, await imported.clone().text()).toBe(200);
    expect(await body(imported)).toMatchObject({ added: 3, refused: [] });
    expect(await baseEnv.BLOCKLIST.get(siteKeys("blog").ip("45.96.3.7"))).not.toBeNull();
    expect(await baseEnv.BLOCKLIST.get(kvKeys.ip("45.96.3.7"))).toBeNull();
    const blogRanges = await body(await call("/api/blocklist?site=blog&kind=cidr", { headers: blogOperator }));
    expect((blogRanges.entries as Json[]).map((e) => e.key)).toContain(siteKeys("blog").cidr("45.96.4.0/24"));
    const blogAsns = await body(await call("/api/blocklist?site=blog&kind=asn", { headers: blogOperator }));
    expect((blogAsns.entries as Json[]).map((e) => e.key)).toEqual([siteKeys("blog").asn(64000)]);
    for (const kind of ["ip", "cidr", "asn"]) {
      for (const site of ["default", "forge"]) {
        const other = await body(await call(`/api/blocklist?site=${site}&kind=${kind}`, { headers: admin }));
        expect(
          (other.entries as Json[]).map((e) => e.target),
          `${site} ${kind}`,
        ).not.toContain(kind === "asn" ? "AS64000" : kind === "ip" ? "45.96.3.7" : "45.96.4.0/24");
      }
    }
    const exported = await call("/api/blocklist/export?site=blog", { headers: blogOperator });
    expect(exported.status).toBe(200);
    expect(await exported.text()).toContain("45.96.3.7");
    expect(
      (await call("/api/blocklist/import?site=forge", jsonInit("POST", { text, reason: "x", ttlSeconds: null }, blogOperator))).status,
    ).toBe(403);
  });

  it("checks a new block against the allow-list of the site it is for", async () => {
    const allowed = await call(
      "/api/allowlist?site=blog",
      jsonInit("POST", { target: "45.96.5.0/24", reason: "blog partner" }, blogOperator),
    );
    expect(allowed.status, await allowed.clone().text()).toBe(201);
    const onBlog = await call(
      "/api/blocklist?site=blog",
      jsonInit("POST", { target: "45.96.5.9", reason: "x", ttlSeconds: null }, blogOperator),
    );
    expect(onBlog.status).toBe(422);
    expect(await body(onBlog)).toMatchObject({ error: "unsafe_target" });
    const imported = await body(
      await call("/api/blocklist/import?site=blog", jsonInit("POST", { text: "45.96.5.10", reason: "x", ttlSeconds: null }, blogOperator)),
    );
    expect(imported).toMatchObject({ added: 0, refused: [expect.objectContaining({ text: "45.96.5.10" })] });
    // The blog's allow-list is the blog's: forge may block the address.
    const onForge = await call(
      "/api/blocklist?site=forge",
      jsonInit("POST", { target: "45.96.5.9", reason: "x", ttlSeconds: null }, admin),
    );
    expect(onForge.status, await onForge.clone().text()).toBe(201);
  });

  it("shows a site operator their site's decisions only, and an admin the totals of every site", async () => {
    await insertDecision("sites-blog-1", "198.51.100.51", { site: "blog" });
    await insertDecision("sites-forge-1", "198.51.100.52", { site: "forge" });
    const forgeId = await insertDecision("sites-forge-2", "198.51.100.53", { site: "forge" });
    const blog = await body(await call("/api/decisions?site=blog", { headers: blogOperator }));
    expect((blog.decisions as Json[]).map((d) => d.ip)).toEqual(["198.51.100.51"]);
    expect((await call(`/api/decisions/${forgeId}?site=blog`, { headers: blogOperator })).status).toBe(404);
    const overview = await body(await call("/api/sites/overview", { headers: admin }));
    const totals = Object.fromEntries((overview.sites as Json[]).map((s) => [s.id, [s.requests, s.blocked]]));
    expect(totals).toMatchObject({ blog: [1, 1], forge: [2, 2] }); // each inserted decision is a block
    expect((await call("/api/sites/overview", { headers: blogOperator })).status).toBe(403);
  });

  it("declares ?site= on every site-scoped operation of the OpenAPI document", async () => {
    const doc = (await body(await call("/api/openapi.json"))) as { paths: Record<string, Record<string, { parameters?: Json[] }>> };
    const scoped = ["/api/policy", "/api/blocklist", "/api/allowlist", "/api/decisions", "/api/labels", "/api/audit", "/api/overview"];
    for (const path of scoped) {
      for (const [method, op] of Object.entries(doc.paths[path] ?? {})) {
        expect(
          op.parameters?.some((p) => p.name === "site" && p.in === "query"),
          `${method} ${path}`,
        ).toBe(true);
      }
    }
  });
});
