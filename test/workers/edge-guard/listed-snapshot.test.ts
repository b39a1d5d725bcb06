import { env as rawEnv } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BlocklistStore } from "../../../adapters/blocklist-store";
import { kvKeys, siteKeys } from "../../../core/kv-keys";
import { MAX_LISTED_ADDRESSES, RANGES_REFRESH_MS, RangeSnapshotSchema } from "../../../core/range-entries";
import { RANGE_INDEX_INSTANCE } from "../../../durable-objects/range-index";
import { app, isolateState } from "../../../workers/edge-guard/app";
import type { EdgeGuardEnv } from "../../../workers/edge-guard/env";
import { OperationCounter } from "../../../workers/edge-guard/operations";
import { RangeCache } from "../../../workers/edge-guard/ranges";
import { CHROME_NAVIGATION_HEADERS } from "../../support/browser-headers";

/**
 * The range snapshot carries the addresses that have an `ip:` entry, so a new client's "is it listed?" is a memory
 * lookup: a client the snapshot does not list costs no KV read, and a listed one is still read and refused from its
 * first request.
 */
const base = rawEnv as unknown as EdgeGuardEnv;
const counter = new OperationCounter();
// Summaries go out at once: the background work of each request is awaited here.
const env: EdgeGuardEnv = { ...counter.wrap(base), SUMMARY_MAX_WAIT_MS: "0" };
const block = (reason: string) => ({ action: "block" as const, reason, source: "operator" as const, at: Date.now() });

async function get(ip: string): Promise<{ status: number; kvReads: number }> {
  const background: Promise<unknown>[] = [];
  const ctx = { waitUntil: (p: Promise<unknown>) => void background.push(p), passThroughOnException: () => undefined, props: {} };
  const request = new Request("http://site.test/", {
    headers: {
      ...CHROME_NAVIGATION_HEADERS,
      "cf-connecting-ip": ip,
      "x-dev-cf": JSON.stringify({ httpProtocol: "HTTP/2", tlsVersion: "TLSv1.3" }),
    },
  });
  const before = counter.snapshot().kvReads;
  const response = await app.fetch(request, env, ctx as unknown as ExecutionContext);
  const kvReads = counter.snapshot().kvReads - before;
  await response.arrayBuffer();
  await Promise.all(background);
  return { status: response.status, kvReads };
}

/** Makes this isolate reload the range snapshot now (as it does every RANGES_REFRESH_MS). */
let reloads = 0;
async function reloadSnapshot(): Promise<void> {
  const pending: Promise<unknown>[] = [];
  await isolateState().ranges.refresh(base.BLOCKLIST, Date.now() + ++reloads * 10 * RANGES_REFRESH_MS, (p) => pending.push(p));
  await Promise.all(pending);
}

describe("listed addresses in the range snapshot", () => {
  it("answers a new unlisted client from memory (0 KV reads) and still refuses a listed address from its first request", async () => {
    const store = new BlocklistStore(base, "operator");
    await store.put([{ key: kvKeys.ip("198.18.70.1"), entry: block("scraper"), ttlSeconds: null }], Date.now());
    await get("198.18.70.200"); // warm-up: the isolate's first load of policy, ranges and data
    await reloadSnapshot();

    expect(await get("198.18.70.50")).toEqual({ status: 200, kvReads: 0 });
    expect(await get("198.18.70.51")).toEqual({ status: 200, kvReads: 0 });
    // Listed: its entry is read (awaited) and it is refused from its very first request.
    expect(await get("198.18.70.1")).toEqual({ status: 403, kvReads: 1 });

    // A block written later reaches the edge with the next snapshot load, and that address's first request is refused.
    await store.put([{ key: kvKeys.ip("198.18.70.2"), entry: block("later"), ttlSeconds: 3600 }], Date.now());
    await reloadSnapshot();
    expect((await get("198.18.70.2")).status).toBe(403);

    // Removed: no longer listed, so no read and no refusal once the isolate's cached entry has lapsed.
    await store.remove(kvKeys.ip("198.18.70.2"));
    const snapshot = RangeSnapshotSchema.parse(await base.BLOCKLIST.get(kvKeys.rangeSnapshot, "json"));
    expect(snapshot.listed).toEqual({ addresses: ["198.18.70.1"], overflow: false });
  });

  it("keeps an address listed while any site has an entry for it: removing one site's entry does not unlist another's", async () => {
    const store = new BlocklistStore(base, "operator");
    const listed = async () => RangeSnapshotSchema.parse(await base.BLOCKLIST.get(kvKeys.rangeSnapshot, "json")).listed?.addresses ?? [];
    await store.put(
      [
        { key: siteKeys("blog").ip("198.18.71.9"), entry: block("blog's scraper"), ttlSeconds: null },
        { key: kvKeys.ip("198.18.71.9"), entry: block("default's scraper"), ttlSeconds: null },
      ],
      Date.now(),
    );
    expect(await listed()).toContain("198.18.71.9");
    await store.remove(siteKeys("blog").ip("198.18.71.9"));
    expect(await listed()).toContain("198.18.71.9"); // the default site's entry still stands
    await store.remove(kvKeys.ip("198.18.71.9"));
    expect(await listed()).not.toContain("198.18.71.9");
  });

  it("falls back to awaiting the KV read when the snapshot cannot say (overflow, or an older publisher without the list)", async () => {
    const cache = new RangeCache(isolateState().faults);
    let at = Date.now();
    const publish = async (listed: unknown) => {
      await base.BLOCKLIST.put(
        kvKeys.rangeSnapshot,
        JSON.stringify({ v: 1, version: 1, entries: [], ...(listed === undefined ? {} : { listed }) }),
      );
      await base.BLOCKLIST.put(kvKeys.rangeVersion, String((at += RANGES_REFRESH_MS)));
      const pending: Promise<unknown>[] = [];
      await cache.refresh(base.BLOCKLIST, at, (p) => pending.push(p));
      await Promise.all(pending);
    };
    // Another instance's publish would overwrite these keys: this test writes them itself and reads a cache of its own.
    await publish({ addresses: ["192.0.2.1"], overflow: false });
    expect([cache.listed("192.0.2.1"), cache.listed("192.0.2.2")]).toEqual([true, false]);
    await publish({ addresses: [], overflow: true });
    expect(cache.listed("192.0.2.2")).toBeNull();
    await publish(undefined);
    expect(cache.listed("192.0.2.2")).toBeNull();
    expect(MAX_LISTED_ADDRESSES).toBe(100_000);
  });

  it("the RangeIndex publishes overflow past MAX_LISTED_ADDRESSES", async () => {
    const index = base.RANGE_INDEX.getByName("overflow-check");
    const many = Array.from({ length: MAX_LISTED_ADDRESSES + 1 }, (_, i) => ({
      ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      expiresAt: null,
    }));
    await index.noteListed(many);
    const snapshot = RangeSnapshotSchema.parse(await base.BLOCKLIST.get(kvKeys.rangeSnapshot, "json"));
    expect(snapshot.listed).toEqual({ addresses: [], overflow: true });
    expect(RANGE_INDEX_INSTANCE).toBe("global");
  });
});
