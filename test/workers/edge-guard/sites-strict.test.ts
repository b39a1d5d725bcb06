import { env as rawEnv, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { kvKeys } from "../../../core/kv-keys";
import type { EdgeGuardEnv } from "../../../workers/edge-guard/env";
import { CHROME_NAVIGATION_HEADERS } from "../../support/browser-headers";

const env = rawEnv as unknown as EdgeGuardEnv;

// Before this file's first request: an operator who wants only named hosts served (unknownHosts: "refuse").
beforeAll(async () => {
  await env.BLOCKLIST.put(
    kvKeys.sites,
    JSON.stringify({ v: 1, unknownHosts: "refuse", sites: [{ id: "blog", name: "Blog", hostnames: ["blog.test"] }] }),
  );
});

const get = (host: string) =>
  exports.default.fetch(new Request(`http://${host}/`, { headers: { ...CHROME_NAVIGATION_HEADERS, "cf-connecting-ip": "198.18.70.1" } }), {
    redirect: "manual",
  });

describe("strict hosts", () => {
  it("serves a named host and refuses any other with a plain 421, telling nothing more", async () => {
    const named = await get("blog.test");
    expect(named.status).toBe(200);
    await named.body?.cancel();
    const other = await get("elsewhere.test");
    expect(other.status).toBe(421);
    expect(await other.text()).toBe("Misdirected request\n");
  });
});
