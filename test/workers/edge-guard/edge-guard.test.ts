import { createExecutionContext, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env as rawEnv, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { valueFromMetadata } from "../../../adapters/kv";
import { kvKeys } from "../../../core/kv-keys";
import { LEDGER_WINDOW_MS } from "../../../durable-objects/client-ledger";
import { app, isolateState } from "../../../workers/edge-guard/app";
import type { EdgeGuardEnv } from "../../../workers/edge-guard/env";

const env = rawEnv as unknown as EdgeGuardEnv;
const CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const GPTBOT_UA = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)";

let nextIp = 1;
/** A fresh client address per test: Durable Object and KV state is shared within this file. */
const freshIp = () => `203.0.113.${nextIp++}`;

function get(path: string, ip: string, headers: Record<string, string> = {}): Promise<Response> {
  return exports.default.fetch(
    new Request(`http://site.test${path}`, { headers: { "user-agent": CHROME_UA, "cf-connecting-ip": ip, ...headers } }),
  );
}

describe("edge-guard", () => {
  it("proxies a browser to the real origin, keeping status, headers and body", async () => {
    const response = await get("/", freshIp());
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/text\/html/);
    const html = await response.text();
    expect(html).toContain('type="application/atom+xml"');
    const missing = await get("/no/such/page", freshIp());
    expect(missing.status).toBe(404);
    await missing.body?.cancel();
  });

  it("hands a declared AI crawler to the tarpit", async () => {
    const response = await get("/articles/anything", freshIp(), { "user-agent": GPTBOT_UA });
    expect(response.headers.get("x-stub")).toBe("tarpit");
    expect(await response.text()).toBe("tarpit stub /articles/anything");
  });

  it("lets an AI crawler read robots.txt from the origin", async () => {
    const response = await get("/robots.txt", freshIp(), { "user-agent": GPTBOT_UA });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/sitemap:/i);
  });

  it("answers 403 to a blocklisted IP without saying why", async () => {
    const ip = freshIp();
    await env.BLOCKLIST.put(kvKeys.ip(ip), JSON.stringify({ reason: "test", source: "operator", at: Date.now() }));
    const response = await get("/", ip);
    expect(response.status).toBe(403);
    const body = await response.text();
    expect(body).toContain("blocked");
    expect(body).not.toMatch(/blocklist-ip|test|operator/);
    // The neighbour is not affected.
    const neighbour = await get("/", freshIp());
    expect(neighbour.status).toBe(200);
    await neighbour.body?.cancel();
  });

  it("tarpits a client whose requests, counted across isolates in its ledger, burst past the limit", async () => {
    const ip = freshIp();
    // Another isolate already counted 130 requests from this client this minute.
    await env.CLIENT_LEDGER.getByName(`ip:${ip}`).add(Date.now(), { req: 130 });
    let tarpitted = false;
    for (let i = 0; i < 20 && !tarpitted; i++) {
      const response = await get("/", ip);
      tarpitted = response.headers.get("x-stub") === "tarpit";
      await response.body?.cancel();
      if (!tarpitted) await scheduler.wait(100); // the first request flushes its count and learns the global one
    }
    expect(tarpitted).toBe(true);
  });

  it("takes request.cf facts from X-Dev-Cf in dev and rejects a malformed one with a clear 400", async () => {
    const bad = await get("/", freshIp(), { "x-dev-cf": "{not json" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "invalid_request", message: expect.stringContaining("x-dev-cf") });
    const wrongType = await get("/", freshIp(), { "x-dev-cf": JSON.stringify({ asn: "lots" }) });
    expect(wrongType.status).toBe(400);
    expect(((await wrongType.json()) as { message: string }).message).toContain("asn");
    const good = await get("/", freshIp(), { "x-dev-cf": JSON.stringify({ asn: 64500, country: "NL" }) });
    expect(good.status).toBe(200);
    await good.body?.cancel();
  });

  it("ignores X-Dev-Cf when dev overrides are off", async () => {
    const ctx = createExecutionContext();
    const response = await app.fetch(
      new Request("http://site.test/", { headers: { "user-agent": CHROME_UA, "x-dev-cf": "{not json" } }),
      { ...env, DEV_CLIENT_OVERRIDES: "off" },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(200);
    await response.body?.cancel();
  });

  it("fails open: with KV and the ledger both failing, the site still answers, and the faults are counted", async () => {
    const broken = {
      ...env,
      BLOCKLIST: { get: () => Promise.reject(new Error("kv down")) } as unknown as KVNamespace,
      CLIENT_LEDGER: { getByName: () => ({ add: () => Promise.reject(new Error("do down")) }) } as unknown as EdgeGuardEnv["CLIENT_LEDGER"],
    };
    const before = isolateState().faults.counts();
    const ctx = createExecutionContext();
    const response = await app.fetch(
      new Request("http://site.test/", { headers: { "user-agent": CHROME_UA, "cf-connecting-ip": freshIp() } }),
      broken,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("<html");
    // The blocklist read failed (and the range snapshot refresh too, when one was due); the ledger sync failed.
    expect(isolateState().faults.counts().blocklist).toBeGreaterThan(before.blocklist);
    expect(isolateState().faults.counts().ledger).toBeGreaterThan(before.ledger);
  });

  it("in observe mode decides but lets a crawler through to the origin", async () => {
    const ctx = createExecutionContext();
    const response = await app.fetch(
      new Request("http://site.test/", { headers: { "user-agent": GPTBOT_UA, "cf-connecting-ip": freshIp() } }),
      { ...env, MODE: "observe" },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-stub")).toBeNull();
    await response.body?.cancel();
  });
});

describe("ClientLedger", () => {
  it("adds batched hits per kind and answers counts over one and ten minutes", async () => {
    const ledger = env.CLIENT_LEDGER.getByName("counts");
    const now = Date.now();
    await ledger.add(now - 5 * 60_000, { req: 4, page: 2 });
    await ledger.add(now - 1000, { req: 1, tarpit: 1 });
    const counts = await ledger.add(now, { req: 2, asset: 3 });
    expect(counts.req).toEqual({ m1: 3, m10: 7 });
    expect(counts.page).toEqual({ m1: 0, m10: 2 });
    expect(counts.asset).toEqual({ m1: 3, m10: 3 });
    expect(counts.tarpit).toEqual({ m1: 1, m10: 1 });
  });

  it("deletes stale hits when the alarm fires", async () => {
    const ledger = env.CLIENT_LEDGER.getByName("deletes-stale-hits");
    const now = Date.now();
    await ledger.add(now, { req: 1 });
    await ledger.add(now - LEDGER_WINDOW_MS - 1, { req: 1 });
    expect(await runDurableObjectAlarm(ledger)).toBe(true);
    const rows = await runInDurableObject(ledger, (_l, state) => state.storage.sql.exec("SELECT at FROM hits").toArray());
    expect(rows).toEqual([{ at: now }]);
  });
});

describe("fault publishing", () => {
  it("publishes the isolate's fault totals to KV for admin, once a minute and only when they changed", async () => {
    isolateState().faults.record("robots", new Error("test fault"));
    const now = Date.now() + 3_600_000; // well past any earlier publish in this file
    const write = isolateState().faults.publish(env.BLOCKLIST, now);
    expect(write).not.toBeNull();
    await write;
    const keys = await env.BLOCKLIST.list({ prefix: "stats:faults:" });
    expect(keys.keys).toHaveLength(1);
    const metadata = keys.keys[0]?.metadata;
    // Written through adapters/kv.ts: who, why, when and until when, with the small value itself alongside.
    expect(metadata).toMatchObject({ source: "edge-guard", reason: expect.any(String), at: now, expiresAt: expect.any(Number) });
    const stored = JSON.parse(valueFromMetadata(metadata) ?? "null") as { counts: Record<string, number> };
    expect(stored.counts.robots).toBeGreaterThanOrEqual(1);
    expect(isolateState().faults.publish(env.BLOCKLIST, now + 1_000)).toBeNull(); // nothing new, too soon
  });
});
