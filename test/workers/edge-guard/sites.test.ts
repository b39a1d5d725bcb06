import { env as rawEnv, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { BlocklistStore } from "../../../adapters/blocklist-store";
import type { BlocklistEntry } from "../../../core/blocklist-entry";
import { kvKeys, siteKeys } from "../../../core/kv-keys";
import { RANGE_INDEX_INSTANCE } from "../../../core/range-entries";
import type { SitesDocument } from "../../../core/sites";
import type { EdgeGuardEnv } from "../../../workers/edge-guard/env";
import { CHROME_NAVIGATION_HEADERS } from "../../support/browser-headers";

const env = rawEnv as unknown as EdgeGuardEnv;
const GPTBOT_UA = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)";

// Four sites besides the default: blog watches only (its saved policy says observe), forge and docs enforce (saved
// policies), and fresh has saved none: a site added to a deployment starts in observe mode (core/policy/site-default.ts).
const SITES: SitesDocument = {
  v: 1,
  sites: [
    { id: "blog", name: "Blog", hostnames: ["blog.test"] },
    { id: "forge", name: "Forge", hostnames: ["forge.test", "*.forge.test"] },
    { id: "docs", name: "Docs", hostnames: ["docs.test"], corpus: "docs-corpus" },
    { id: "fresh", name: "Fresh", hostnames: ["fresh.test"] },
  ],
};
const LISTED_ON_FORGE = "198.18.60.1";
const FORGE_NET = "198.18.61.0/24";
const SHARED_NET = "198.18.62.0/24";
const block = (reason: string) => JSON.stringify({ action: "block", reason, source: "operator", at: Date.now() });

// Before this file's first request, so the isolate's first reads see them (policy and sites are cached 30 s).
beforeAll(async () => {
  await env.BLOCKLIST.put(kvKeys.sites, JSON.stringify(SITES));
  await env.BLOCKLIST.put(siteKeys("blog").policy, JSON.stringify({ version: 1, preset: "moderate", mode: "observe", rules: [] }));
  for (const site of ["forge", "docs"])
    await env.BLOCKLIST.put(siteKeys(site).policy, JSON.stringify({ version: 1, preset: "moderate", mode: "enforce", rules: [] }));
  // Through the store, as every writer does: it notes the address in the range snapshot's listed addresses.
  await new BlocklistStore(env, "operator").put(
    [{ key: siteKeys("forge").ip(LISTED_ON_FORGE), entry: JSON.parse(block("forge only")) as BlocklistEntry, ttlSeconds: null }],
    Date.now(),
  );
  await env.RANGE_INDEX.getByName(RANGE_INDEX_INSTANCE).put([
    { key: siteKeys("forge").cidr(FORGE_NET), value: block("forge network"), ttlSeconds: null },
    { key: siteKeys("docs").cidr(SHARED_NET), value: block("shared by the docs operator"), ttlSeconds: null, shared: true },
  ]);
});

async function status(host: string, ip: string, headers: Record<string, string> = CHROME_NAVIGATION_HEADERS): Promise<string> {
  const response = await exports.default.fetch(new Request(`http://${host}/`, { headers: { ...headers, "cf-connecting-ip": ip } }), {
    redirect: "manual",
  });
  await response.body?.cancel();
  return response.headers.get("x-stub") ?? String(response.status);
}

describe("sites at the edge", () => {
  it("applies each site's own policy: an AI crawler reaches the origin on the observing blog only", async () => {
    const gptbot = { "user-agent": GPTBOT_UA, accept: "text/html" };
    expect(await status("blog.test", "198.18.63.1", gptbot)).toBe("200");
    expect(await status("docs.test", "198.18.63.2", gptbot)).toBe("tarpit");
    expect(await status("git.forge.test", "198.18.63.3", gptbot)).toBe("tarpit");
    // Any other host is the default site's, which has no policy of its own: the bundled one, enforced.
    expect(await status("unclaimed.test", "198.18.63.4", gptbot)).toBe("tarpit");
    // A site with no saved policy starts in observe mode: decided and reported, nothing refused yet.
    expect(await status("fresh.test", "198.18.63.5", gptbot)).toBe("200");
  });

  it("tells the tarpit which site a trapped request was for, overwriting a client's own copy", async () => {
    for (const [host, site] of [
      ["docs.test", "docs"],
      ["git.forge.test", "forge"],
      ["unclaimed.test", "default"],
    ]) {
      const response = await exports.default.fetch(
        new Request(`http://${host}/`, {
          headers: {
            "user-agent": GPTBOT_UA,
            accept: "text/html",
            "cf-connecting-ip": "198.18.63.9",
            "x-edge-guard-site": "blog",
            "x-edge-guard-corpus": "client-chosen",
          },
        }),
        { redirect: "manual" },
      );
      await response.body?.cancel();
      expect(response.headers.get("x-stub"), host).toBe("tarpit");
      expect(response.headers.get("x-stub-site"), host).toBe(site);
      // The site's corpus when it names one; a client's own copy never gets through.
      expect(response.headers.get("x-stub-corpus"), host).toBe(site === "docs" ? "docs-corpus" : "absent");
    }
  });

  it("a site's address block holds on that site only", async () => {
    expect(await status("forge.test", LISTED_ON_FORGE)).toBe("403");
    expect(await status("docs.test", LISTED_ON_FORGE)).toBe("200");
    expect(await status("unclaimed.test", LISTED_ON_FORGE)).toBe("200");
  });

  it("a site's network block holds on that site only; a shared one on every site", async () => {
    expect(await status("forge.test", "198.18.61.7")).toBe("403");
    expect(await status("docs.test", "198.18.61.8")).toBe("200");
    for (const host of ["docs.test", "forge.test", "unclaimed.test"]) expect(await status(host, "198.18.62.9")).toBe("403");
  });
});
