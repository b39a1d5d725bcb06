import { describe, expect, it } from "vitest";
import { kvKeys, parseKvKey, siteKeys, splitSiteKey, isRangeKey } from "../../core/kv-keys";
import { appliesToSite, compileRangeEntries, RangeSnapshotSchema } from "../../core/range-entries";
import { DecisionReportSchema } from "../../core/report";
import { bareHost, DEFAULT_SITE_ID, parseSitesDocument, SiteDirectory, siteProblems, type Site } from "../../core/sites";

const blog: Site = { id: "blog", name: "Blog", hostnames: ["blog.example.org", "www.blog.example.org"] };
const forge: Site = { id: "forge", name: "Forge", hostnames: ["*.forge.example.net"] };

function directory(sites: Site[]): SiteDirectory {
  const made = SiteDirectory.of(sites);
  if (!made.ok) throw new Error(made.error);
  return made.value;
}

describe("SiteDirectory", () => {
  it("resolves exact hostnames, wildcards (not the bare domain), ports and case; every other host is the default site's", () => {
    const sites = directory([blog, forge]);
    expect(sites.resolve("blog.example.org").id).toBe("blog");
    expect(sites.resolve("WWW.Blog.Example.org:8443").id).toBe("blog");
    expect(sites.resolve("code.forge.example.net").id).toBe("forge");
    expect(sites.resolve("a.b.forge.example.net.").id).toBe("forge");
    expect(sites.resolve("forge.example.net").id).toBe(DEFAULT_SITE_ID);
    expect(sites.resolve("example.org").id).toBe(DEFAULT_SITE_ID);
    expect(sites.resolve("[::1]:8787").id).toBe(DEFAULT_SITE_ID);
    expect(sites.sites.map((s) => s.id)).toEqual(["default", "blog", "forge"]);
  });

  it("needs no configuration for one site: no document is the default site for every host", () => {
    const single = parseSitesDocument(null);
    expect(single.ok && single.value.resolve("anything.example").id).toBe(DEFAULT_SITE_ID);
    expect(single.ok && single.value.sites).toEqual([{ id: "default", name: "Default site", hostnames: [] }]);
  });

  it("refuses overlapping hostnames and twice-used ids, naming them", () => {
    expect(siteProblems([blog, { id: "docs", name: "Docs", hostnames: ["*.example.org"] }])).toEqual([
      "hostnames overlap: blog.example.org (site blog) and *.example.org (site docs) both match blog.example.org",
      "hostnames overlap: www.blog.example.org (site blog) and *.example.org (site docs) both match www.blog.example.org",
    ]);
    expect(siteProblems([blog, { ...blog, hostnames: [] }])).toEqual(['site "blog" is listed twice']);
    const bad = parseSitesDocument(JSON.stringify({ v: 1, sites: [blog, { id: "x", name: "X", hostnames: ["blog.example.org"] }] }));
    expect(bad.ok ? null : bad.error).toBe("hostname blog.example.org overlaps: listed in site blog and in site x");
    const invalid = parseSitesDocument(JSON.stringify({ v: 1, sites: [{ id: "Blog!", name: "B", hostnames: [] }] }));
    expect(invalid.ok ? null : invalid.error).toMatch(/site id is lower-case/);
    expect(parseSitesDocument("{").ok).toBe(false);
  });

  it("in strict mode, names no site for a host none claims (the edge refuses it); the default site's own hosts stay claimed", () => {
    const strict = parseSitesDocument(
      JSON.stringify({ v: 1, unknownHosts: "refuse", sites: [blog, { id: "default", name: "Main", hostnames: ["example.org"] }] }),
    );
    if (!strict.ok) throw new Error(strict.error);
    expect(strict.value.unknownHosts).toBe("refuse");
    expect(strict.value.claimant("blog.example.org:443")?.id).toBe("blog");
    expect(strict.value.claimant("example.org")?.id).toBe("default");
    expect(strict.value.claimant("unknown.example")).toBeNull();
    expect(strict.value.resolve("unknown.example").id).toBe("default");
    expect(parseSitesDocument(JSON.stringify({ v: 1, unknownHosts: "maybe", sites: [] })).ok).toBe(false);
  });

  it("strips ports and a trailing dot from a host", () => {
    expect([bareHost("Blog.localhost:8787"), bareHost("[2001:db8::1]:443"), bareHost("example.org.")]).toEqual([
      "blog.localhost",
      "[2001:db8::1]",
      "example.org",
    ]);
  });
});

describe("site keys", () => {
  it("keeps the default site's keys as they were (existing data is the default site's) and prefixes every other site's", () => {
    const d = siteKeys(DEFAULT_SITE_ID);
    expect([d.ip("192.0.2.1"), d.cidr("192.0.2.0/24"), d.asn(64500), d.allow("192.0.2.9"), d.policy]).toEqual([
      kvKeys.ip("192.0.2.1"),
      kvKeys.cidr("192.0.2.0/24"),
      kvKeys.asn(64500),
      kvKeys.allow("192.0.2.9"),
      kvKeys.policy,
    ]);
    const b = siteKeys("blog");
    expect([b.ip("192.0.2.1"), b.cidr("192.0.2.0/24"), b.policy, b.counter("ip:192.0.2.1")]).toEqual([
      "site:blog:ip:192.0.2.1",
      "site:blog:cidr:192.0.2.0/24",
      "site:blog:policy:active",
      "site:blog:ip:192.0.2.1",
    ]);
    expect(splitSiteKey("site:blog:ip:192.0.2.1")).toEqual({ site: "blog", key: "ip:192.0.2.1" });
    expect(splitSiteKey("ip:192.0.2.1")).toEqual({ site: "default", key: "ip:192.0.2.1" });
    expect(parseKvKey("site:blog:cidr:192.0.2.0/24")).toEqual({ kind: "cidr", rest: "192.0.2.0/24" });
    expect(isRangeKey("site:blog:asn:64500")).toBe(true);
    expect(isRangeKey("site:blog:ip:192.0.2.1")).toBe(false);
  });
});

describe("range entries per site", () => {
  const value = JSON.stringify({ action: "block", reason: "x", source: "operator", at: 1 });
  it("keeps one entry per site and network, and applies a site's own and shared entries only", () => {
    const entries = compileRangeEntries(
      [
        { key: "cidr:192.0.2.0/24", raw: value, expiresAt: null },
        { key: "site:blog:cidr:192.0.2.0/24", raw: value, expiresAt: null },
        { key: "site:forge:asn:64500", raw: value, expiresAt: null, shared: true },
      ],
      0,
    );
    expect(entries.map((e) => [e.scope, e.value, e.site, e.shared])).toEqual([
      ["asn", "64500", "forge", true],
      ["cidr", "192.0.2.0/24", "blog", false],
      ["cidr", "192.0.2.0/24", "default", false],
    ]);
    const forgeOwn = entries[0];
    const blogOwn = entries[1];
    if (forgeOwn === undefined || blogOwn === undefined) throw new Error("missing entries");
    expect([appliesToSite(blogOwn, "blog"), appliesToSite(blogOwn, "forge"), appliesToSite(blogOwn, "default")]).toEqual([
      true,
      false,
      false,
    ]);
    expect([appliesToSite(forgeOwn, "blog"), appliesToSite(forgeOwn, "default")]).toEqual([true, true]);
  });

  it("reads a snapshot from before sites as the default site's, unshared", () => {
    const old = {
      v: 1,
      version: 1,
      entries: [{ scope: "cidr", value: "192.0.2.0/24", action: "block", reason: "r", source: "operator", expiresAt: null, at: 1 }],
    };
    expect(RangeSnapshotSchema.parse(old).entries[0]).toMatchObject({ site: "default", shared: false });
  });
});

describe("reports", () => {
  it("an old report without a site is the default site's; a site id must be a slug", () => {
    const report = {
      v: 1,
      id: "report-0001",
      at: 1,
      source: "edge",
      ip: "192.0.2.1",
      method: "GET",
      path: "/",
      userAgent: "x",
      headers: {},
      cf: {},
      action: "block",
      score: 1,
      reasons: [],
      counts: { hits1m: 0, hits10m: 0, tarpitHits: 0 },
    };
    expect(DecisionReportSchema.parse(report).site).toBeUndefined();
    expect(DecisionReportSchema.parse({ ...report, site: "blog" }).site).toBe("blog");
    expect(DecisionReportSchema.safeParse({ ...report, site: "../x" }).success).toBe(false);
  });
});
