import { env as rawEnv, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { EdgeGuardEnv } from "../../../workers/edge-guard/env";
import { readFacts } from "../../../workers/edge-guard/facts";
import { kvKeys } from "../../../core/kv-keys";
import { RANGE_INDEX_INSTANCE } from "../../../durable-objects/range-index";

const env = rawEnv as unknown as EdgeGuardEnv;
const GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
const CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

describe("an ASN block and a verified crawler", () => {
  it("lets a verified crawler through its network's ASN block, and blocks everyone else on that network", async () => {
    // Through the RangeIndex, the one writer of range entries; it publishes the snapshot before answering.
    const entry = JSON.stringify({ action: "block", reason: "cloud abuse", source: "operator", at: Date.now() });
    await env.RANGE_INDEX.getByName(RANGE_INDEX_INSTANCE).put([{ key: kvKeys.asn(15169), value: entry, ttlSeconds: null }]);
    const get = (ip: string, ua: string) =>
      exports.default.fetch(
        new Request("http://site.test/", {
          redirect: "manual",
          headers: { "user-agent": ua, "cf-connecting-ip": ip, "x-dev-cf": JSON.stringify({ asn: 15169 }) },
        }),
      );
    const crawler = await get("192.178.4.1", GOOGLEBOT); // in Google's published common-crawler ranges
    expect(crawler.status).toBe(200);
    await crawler.body?.cancel();
    const spoofed = await get("192.0.2.80", GOOGLEBOT); // same ASN, same UA, not in the ranges
    expect(spoofed.status).toBe(403);
    await spoofed.body?.cancel();
    const other = await get("192.0.2.81", CHROME);
    expect(other.status).toBe(403);
    await other.body?.cancel();
  });
});

describe("CF-Connecting-IP", () => {
  const request = (cf?: object) => {
    const r = new Request("http://site.test/", { headers: { "cf-connecting-ip": "198.51.100.99" } });
    return cf === undefined ? r : new Request(r, { cf } as RequestInit);
  };

  it("is trusted from Cloudflare's edge (request.cf present) and from the dev server (overrides on) only", () => {
    expect(readFacts(request({ asn: 64500 }), false, 0).ip).toBe("198.51.100.99");
    expect(readFacts(request(), true, 0).ip).toBe("198.51.100.99");
    // Not behind Cloudflare and not the dev server: anyone could have written the header.
    expect(readFacts(request(), false, 0).ip).toBe("0.0.0.0");
  });
});
