import { env as rawEnv, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RANGE_SNAPSHOT_KEY, RangeSnapshotSchema } from "../../../core/range-entries";
import type { EdgeGuardEnv } from "../../../workers/edge-guard/env";
import { buildRangeSnapshot } from "../../../workers/edge-guard/range-snapshot";
import { RangeCache } from "../../../workers/edge-guard/ranges";

const env = rawEnv as unknown as EdgeGuardEnv;
const UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const noop = (p: Promise<unknown>) => void p;
const block = (reason: string, source = "operator", action = "block") => JSON.stringify({ action, reason, source, at: Date.now() });

describe("range snapshot (Cron Trigger)", () => {
  it("compiles cidr:, asn: and allow: keys (values in metadata or not), canonicalised, allow winning", async () => {
    const kv = env.BLOCKLIST;
    await kv.put("cidr:198.19.1.0/24", block("escalation saw many bots", "escalation"));
    const meta = block("operator block");
    await kv.put("cidr:198.19.2.0/24", meta, { metadata: meta });
    await kv.put("asn:64496", block("hosting abuse", "peer", "tarpit"));
    await kv.put("cidr:198.19.3.0/24", block("peer said so", "peer"));
    await kv.put("allow:198.19.3.0/24", JSON.stringify({ reason: "office", source: "operator", by: "ops", at: 1 }));
    await kv.put("allow:192.0.2.44", JSON.stringify({ reason: "monitor", source: "operator", by: "ops", at: 1 }));
    await kv.put("cidr:not-a-network", block("junk"));
    expect(await buildRangeSnapshot(kv)).toEqual({ entries: 5, changed: true });
    const snapshot = RangeSnapshotSchema.parse(await kv.get(RANGE_SNAPSHOT_KEY, "json"));
    const byValue = Object.fromEntries(snapshot.entries.map((e) => [e.value, e]));
    expect(byValue["198.19.3.0/24"]?.action).toBe("allow");
    expect(byValue["192.0.2.44/32"]?.action).toBe("allow");
    expect(byValue["64496"]).toMatchObject({ scope: "asn", action: "tarpit", source: "peer" });
    expect(byValue["198.19.2.0/24"]?.reason).toBe("operator block");
    expect(await buildRangeSnapshot(kv)).toEqual({ entries: 5, changed: false });
  });
});

describe("RangeCache and the edge", () => {
  it("finds the most specific CIDR, then the ASN, ignoring expired entries", async () => {
    const kv = env.BLOCKLIST;
    await kv.put("cidr:198.21.0.0/16", block("wide"));
    await kv.put("allow:198.21.3.0/24", JSON.stringify({ reason: "office", source: "operator", by: "ops", at: 1 }));
    await kv.put("asn:64497", block("asn"), { expirationTtl: 60 });
    await buildRangeSnapshot(kv);
    const cache = new RangeCache();
    await cache.refresh(kv, Date.now(), noop);
    expect(cache.lookup("198.21.3.9", undefined, Date.now())?.action).toBe("allow");
    expect(cache.lookup("198.21.4.9", undefined, Date.now())?.action).toBe("block");
    expect(cache.lookup("203.0.113.1", 64497, Date.now())?.value).toBe("64497");
    expect(cache.lookup("203.0.113.1", 64497, Date.now() + 120_000)).toBeNull();
    expect(cache.lookup("203.0.113.1", undefined, Date.now())).toBeNull();
  });

  it("answers 403 inside a blocked CIDR and lets an allow-listed address through even when it looks like a scraper", async () => {
    const kv = env.BLOCKLIST;
    await kv.put("cidr:198.20.0.0/16", block("wide"));
    await kv.put("allow:198.20.5.5", JSON.stringify({ reason: "monitor", source: "operator", by: "ops", at: 1 }));
    await buildRangeSnapshot(kv);
    const get = (ip: string, ua = UA) => exports.default.fetch(new Request("http://site.test/", { headers: { "user-agent": ua, "cf-connecting-ip": ip } }));
    const blocked = await get("198.20.1.1");
    expect(blocked.status).toBe(403);
    await blocked.body?.cancel();
    const allowed = await get("198.20.5.5", "python-requests/2.31");
    expect(allowed.status).toBe(200);
    await allowed.body?.cancel();
  });
});
