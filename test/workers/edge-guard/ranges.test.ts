import { runDurableObjectAlarm } from "cloudflare:test";
import { env as rawEnv, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RANGE_SNAPSHOT_KEY, RangeSnapshotSchema, type RangeEntry } from "../../../core/range-entries";
import type { EdgeGuardEnv } from "../../../workers/edge-guard/env";
import { RangeCache } from "../../../workers/edge-guard/ranges";

const env = rawEnv as unknown as EdgeGuardEnv;
const UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const entry = (over: Partial<RangeEntry>): RangeEntry => ({ scope: "cidr", value: "198.19.0.0/24", action: "block", reason: "test", source: "operator", expiresAt: null, at: Date.now(), ...over });
const noop = (p: Promise<unknown>) => void p;

async function publish(): Promise<void> {
  await runDurableObjectAlarm(env.RANGE_INDEX.getByName("global"));
}

describe("RangeIndex", () => {
  it("canonicalises, publishes a snapshot to KV, and drops expired entries", async () => {
    const index = env.RANGE_INDEX.getByName("global");
    expect(await index.put(entry({ value: "198.19.1.77/24", source: "escalation" }))).toMatchObject({ ok: true, value: { value: "198.19.1.0/24" } });
    expect(await index.put(entry({ scope: "asn", value: "64496", action: "tarpit" }))).toMatchObject({ ok: true });
    expect(await index.put(entry({ value: "198.19.9.0/24", expiresAt: Date.now() - 1 }))).toMatchObject({ ok: true });
    expect((await index.put(entry({ value: "not-a-cidr" }))).ok).toBe(false);
    await publish();
    const snapshot = RangeSnapshotSchema.parse(await env.BLOCKLIST.get(RANGE_SNAPSHOT_KEY, "json"));
    expect(snapshot.entries.map((e) => e.value).sort()).toEqual(["198.19.1.0/24", "64496"]);
  });

  it("never lets an automatic entry replace an operator's allow", async () => {
    const index = env.RANGE_INDEX.getByName("global");
    await index.put(entry({ value: "198.19.2.0/24", action: "allow" }));
    const refused = await index.put(entry({ value: "198.19.2.0/24", action: "block", source: "peer" }));
    expect(refused.ok).toBe(false);
    expect((await index.list(Date.now())).find((e) => e.value === "198.19.2.0/24")?.action).toBe("allow");
  });
});

describe("RangeCache and the edge", () => {
  it("finds the most specific CIDR, then the ASN, ignoring expired entries", async () => {
    const index = env.RANGE_INDEX.getByName("global");
    await index.put(entry({ value: "198.19.0.0/16", action: "block" }));
    await index.put(entry({ value: "198.19.3.0/24", action: "allow" }));
    await index.put(entry({ scope: "asn", value: "64497", action: "block", expiresAt: Date.now() + 60_000 }));
    await publish();
    const cache = new RangeCache();
    await cache.refresh(env.BLOCKLIST, Date.now(), noop);
    expect(cache.lookup("198.19.3.9", undefined, Date.now())?.action).toBe("allow");
    expect(cache.lookup("198.19.4.9", undefined, Date.now())?.action).toBe("block");
    expect(cache.lookup("203.0.113.1", 64497, Date.now())?.value).toBe("64497");
    expect(cache.lookup("203.0.113.1", 64497, Date.now() + 120_000)).toBeNull();
    expect(cache.lookup("203.0.113.1", undefined, Date.now())).toBeNull();
  });

  it("answers 403 to an address inside a blocked CIDR and lets an allow-listed one through", async () => {
    const index = env.RANGE_INDEX.getByName("global");
    await index.put(entry({ value: "198.20.0.0/16", action: "block" }));
    await index.put(entry({ value: "198.20.5.0/24", action: "allow" }));
    await publish();
    const get = (ip: string, ua = UA) => exports.default.fetch(new Request("http://site.test/", { headers: { "user-agent": ua, "cf-connecting-ip": ip } }));
    const blocked = await get("198.20.1.1");
    expect(blocked.status).toBe(403);
    await blocked.body?.cancel();
    // Allow-listed even when it looks like a scraper.
    const allowed = await get("198.20.5.5", "python-requests/2.31");
    expect(allowed.status).toBe(200);
    await allowed.body?.cancel();
  });
});
