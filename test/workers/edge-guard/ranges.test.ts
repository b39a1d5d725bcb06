import { env as rawEnv, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { kvKeys } from "../../../core/kv-keys";
import { RANGES_REFRESH_MS, RangeSnapshotSchema } from "../../../core/range-entries";
import { RANGE_INDEX_INSTANCE, type RangeWrite } from "../../../durable-objects/range-index";
import type { EdgeGuardEnv } from "../../../workers/edge-guard/env";
import { RangeCache } from "../../../workers/edge-guard/ranges";
import { isolateState } from "../../../workers/edge-guard/app";

const env = rawEnv as unknown as EdgeGuardEnv;
const UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const block = (reason: string, source = "operator", action = "block") => JSON.stringify({ action, reason, source, at: Date.now() });
const allow = (reason: string) => JSON.stringify({ reason, source: "operator", by: "ops", at: 1 });
const write = (key: string, value: string, ttlSeconds: number | null = null): RangeWrite => ({ key, value, ttlSeconds });
const index = () => env.RANGE_INDEX.getByName(RANGE_INDEX_INSTANCE);

/** The BLOCKLIST binding with every call counted, as the edge isolate would use it. */
function countingKv(kv: KVNamespace): { kv: KVNamespace; ops: Record<"get" | "list" | "put" | "delete", number> } {
  const ops = { get: 0, list: 0, put: 0, delete: 0 };
  const proxy = new Proxy(kv, {
    get(target, name) {
      const value: unknown = Reflect.get(target, name);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (typeof name === "string" && name in ops) ops[name as keyof typeof ops]++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { kv: proxy, ops };
}

async function snapshot() {
  return RangeSnapshotSchema.parse(await env.BLOCKLIST.get(kvKeys.rangeSnapshot, "json"));
}

describe("RangeIndex: the one writer of range entries", () => {
  it("imports the cidr:, asn: and allow: keys older versions wrote to KV once, then never lists again", async () => {
    // Written the old way, straight to KV (values in metadata or not), before the object's first use.
    const meta = block("operator block");
    await env.BLOCKLIST.put("cidr:198.19.1.0/24", block("escalation saw many bots", "escalation"));
    await env.BLOCKLIST.put("cidr:198.19.2.0/24", meta, { metadata: meta });
    await env.BLOCKLIST.put("asn:64496", block("hosting abuse", "peer", "tarpit"));
    await env.BLOCKLIST.put("cidr:198.19.3.0/24", block("peer said so", "peer"));
    await env.BLOCKLIST.put("allow:198.19.3.0/24", allow("office"));
    await env.BLOCKLIST.put("allow:192.0.2.44", allow("monitor"));
    await env.BLOCKLIST.put("cidr:not-a-network", block("junk"));
    const importer = env.RANGE_INDEX.getByName("import-once");
    const first = await importer.stats();
    // One list page per prefix, once: cidr:, asn:, allow:, and ip: (the listed addresses the snapshot carries).
    expect(first).toMatchObject({ entries: 6, kv: { lists: 4 }, publishes: 1 });
    expect(first.importedAt).not.toBeNull();
    const byValue = Object.fromEntries((await snapshot()).entries.map((e) => [e.value, e]));
    expect(byValue["198.19.3.0/24"]?.action).toBe("allow"); // allow wins over a block of the same network
    expect(byValue["192.0.2.44/32"]?.action).toBe("allow");
    expect(byValue["64496"]).toMatchObject({ scope: "asn", action: "tarpit", source: "peer" });
    expect(byValue["198.19.2.0/24"]?.reason).toBe("operator block");
    expect(byValue["not-a-network"]).toBeUndefined();

    await importer.put([write(kvKeys.cidr("198.19.9.0/24"), block("later"))]);
    await importer.remove([kvKeys.cidr("198.19.1.0/24")]);
    expect(await importer.stats()).toMatchObject({ entries: 6, kv: { lists: 4 }, publishes: 3 }); // no further listing
  });

  it("delivers a new entry to the edge by the isolate's next refresh (≤ RANGES_REFRESH_MS), with 0 KV list calls", async () => {
    const ranges = index();
    await ranges.stats(); // its one-time import (an empty one here: the earlier test's keys were another instance's)
    const listsBefore = (await ranges.stats()).kv.lists;
    const { kv, ops } = countingKv(env.BLOCKLIST);
    const cache = new RangeCache(isolateState().faults);
    const pending: Promise<unknown>[] = [];
    const t0 = Date.now();
    await cache.refresh(kv, t0, (p) => pending.push(p));
    expect(cache.lookup("198.22.1.9", undefined, t0)).toBeNull();

    await ranges.put([write(kvKeys.cidr("198.22.0.0/16"), block("new network")), write(kvKeys.asn(64498), block("new asn"), 3600)]);
    await cache.refresh(kv, t0 + RANGES_REFRESH_MS - 1, (p) => pending.push(p)); // not due yet: the isolate keeps its copy
    expect(pending).toHaveLength(0);
    await cache.refresh(kv, t0 + RANGES_REFRESH_MS, (p) => pending.push(p)); // due: reloads in the background
    await Promise.all(pending);
    expect(cache.lookup("198.22.1.9", undefined, t0)?.reason).toBe("new network");
    expect(cache.lookup("203.0.113.1", 64498, t0)?.value).toBe("64498");
    expect(cache.lookup("203.0.113.1", 64498, t0 + 3601_000)).toBeNull(); // its expiry travels with it
    expect(ops.list).toBe(0);
    expect(ops.get).toBe(4); // version + snapshot, twice
    expect((await ranges.stats()).kv.lists).toBe(listsBefore);
  });

  it("coalesces a burst of writers into few publishes (KV takes one write per second per key), losing none", async () => {
    const ranges = env.RANGE_INDEX.getByName("burst");
    await ranges.stats();
    const before = (await ranges.stats()).publishes;
    const keys = Array.from({ length: 10 }, (_, i) => kvKeys.cidr(`198.25.${i}.0/24`));
    await Promise.all(keys.map((key) => ranges.put([write(key, block("burst"))])));
    const after = await ranges.stats();
    expect(after.publishes - before).toBeLessThanOrEqual(2); // the first, then one for everything that arrived meanwhile
    const published = new Set((await snapshot()).entries.map((e) => `cidr:${e.value}`));
    expect(keys.filter((key) => !published.has(key))).toEqual([]);
  });

  it("keeps another source's entry from a peer, and drops a lapsed entry from the snapshot on its alarm", async () => {
    const ranges = index();
    const key = kvKeys.cidr("198.23.0.0/16");
    await ranges.put([write(key, block("operator's", "operator"))]);
    const peerEntry = JSON.stringify({ action: "block", reason: "peer acme: scanner", source: "peer", at: Date.now() });
    expect(await ranges.put([write(key, peerEntry)], { peer: "acme" })).toEqual({ written: [], kept: [key] });
    expect(await ranges.remove([key], { peer: "acme" })).toEqual([]);
    expect((await ranges.get([key]))[0]?.raw).toContain("operator's");

    await ranges.put([write(kvKeys.cidr("198.24.0.0/16"), block("short"), 0)]); // lapses at once
    expect(await ranges.get([kvKeys.cidr("198.24.0.0/16")])).toEqual([]);
    const { runDurableObjectAlarm } = await import("cloudflare:test");
    await runDurableObjectAlarm(ranges);
    expect((await snapshot()).entries.some((e) => e.value === "198.24.0.0/16")).toBe(false);
  });
});

describe("RangeCache and the edge", () => {
  it("answers 403 inside a blocked CIDR and lets an allow-listed address through even when it looks like a scraper", async () => {
    await index().put([write(kvKeys.cidr("198.20.0.0/16"), block("wide")), write(kvKeys.allow("198.20.5.5"), allow("monitor"))]);
    const get = (ip: string, ua = UA) =>
      exports.default.fetch(new Request("http://site.test/", { headers: { "user-agent": ua, "cf-connecting-ip": ip } }));
    const blocked = await get("198.20.1.1");
    expect(blocked.status).toBe(403);
    await blocked.body?.cancel();
    const allowed = await get("198.20.5.5", "python-requests/2.31");
    expect(allowed.status).toBe(200);
    await allowed.body?.cancel();
  });

  it("finds the most specific CIDR, then the ASN, ignoring expired entries", async () => {
    await index().put([
      write(kvKeys.cidr("198.21.0.0/16"), block("wide")),
      write(kvKeys.allow("198.21.3.0/24"), allow("office")),
      write(kvKeys.asn(64497), block("asn"), 60),
    ]);
    const cache = new RangeCache(isolateState().faults);
    await cache.refresh(env.BLOCKLIST, Date.now(), () => {});
    expect(cache.lookup("198.21.3.9", undefined, Date.now())?.action).toBe("allow");
    expect(cache.lookup("198.21.4.9", undefined, Date.now())?.action).toBe("block");
    expect(cache.lookup("203.0.113.1", 64497, Date.now())?.value).toBe("64497");
    expect(cache.lookup("203.0.113.1", 64497, Date.now() + 120_000)).toBeNull();
    expect(cache.lookup("203.0.113.1", undefined, Date.now())).toBeNull();
  });
});
