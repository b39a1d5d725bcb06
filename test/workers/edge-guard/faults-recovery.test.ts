import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env as rawEnv } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { DecisionReport, ReportMessage } from "../../../core/report";
import { app, isolateState } from "../../../workers/edge-guard/app";
import { DEV_FAULTS_PATH, devFaultSwitch, withDevFaults } from "../../../workers/edge-guard/dev-faults";
import { EDGE_METRICS_PATH, edgeMetrics } from "../../../workers/edge-guard/metrics";
import type { EdgeGuardEnv } from "../../../workers/edge-guard/env";
import { valueFromMetadata } from "../../../adapters/kv";
import { MAX_HELD_REPORTS, ReportBuffer } from "../../../workers/edge-guard/reports";
import { BlocklistCache, MAX_CACHED } from "../../../workers/edge-guard/blocklist";
import { Counters, MAX_KEYS } from "../../../workers/edge-guard/counters";
import { FleetFlags, MAX_LEARNED } from "../../../workers/edge-guard/fleet-flags";
import { CACHE_MAX_ORIGINS, DirectoryCache } from "../../../workers/edge-guard/web-bot-auth";

const env = rawEnv as unknown as EdgeGuardEnv;
const CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/** A Queue that refuses while `down`, records what it accepted, and counts every attempt. */
function flakyQueue(): { queue: Queue<ReportMessage>; sent: string[]; attempts: () => number; setDown: (down: boolean) => void } {
  let down = false;
  let attempts = 0;
  const sent: string[] = [];
  const queue = {
    sendBatch: async (messages: Iterable<{ body: ReportMessage }>) => {
      attempts++;
      if (down) throw new Error("queue unreachable");
      for (const m of messages) sent.push(m.body.id);
    },
  } as unknown as Queue<ReportMessage>;
  return { queue, sent, attempts: () => attempts, setDown: (d) => void (down = d) };
}

const aReport = (id: string) => ({ id }) as unknown as DecisionReport;

describe("the edge when a part fails and comes back", () => {
  it("answers a plain 502 with a stable code when the origin refuses connections, and counts it", async () => {
    const before = isolateState().faults.counts().origin ?? 0;
    const ctx = createExecutionContext();
    // Port 1 on loopback: nothing listens there.
    const response = await app.fetch(
      new Request("http://site.test/", { headers: { "user-agent": CHROME_UA, "cf-connecting-ip": "203.0.113.201" } }),
      { ...env, ORIGIN_URL: "http://127.0.0.1:1" },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(502);
    expect(await response.text()).toContain("origin_unreachable");
    expect(isolateState().faults.counts().origin).toBe(before + 1);
  });

  it("keeps the reports a Queue outage refused and sends them, in order, once the Queue answers", async () => {
    const buffer = new ReportBuffer(isolateState().faults);
    const { queue, sent, setDown } = flakyQueue();
    setDown(true);
    await buffer.decision(aReport("a"), queue, 1_000);
    await buffer.decision(aReport("b"), queue, 3_000);
    expect(sent).toEqual([]);
    expect(buffer.size).toBe(2);
    setDown(false);
    await buffer.decision(aReport("c"), queue, 5_000);
    expect(sent).toEqual(["a", "b", "c"]);
    expect(buffer.size).toBe(0);
  });

  it("tries a failed send again after a second, not on every request", async () => {
    const buffer = new ReportBuffer(isolateState().faults);
    const { queue, attempts, setDown } = flakyQueue();
    setDown(true);
    await buffer.decision(aReport("a"), queue, 10_000);
    expect(attempts()).toBe(1);
    await buffer.decision(aReport("b"), queue, 10_500); // within the second: held, not tried
    expect(attempts()).toBe(1);
    await buffer.decision(aReport("c"), queue, 11_000);
    expect(attempts()).toBe(2);
    expect(buffer.size).toBe(3);
  });

  it("publishes the fault totals again after a KV outage, so admin catches up", async () => {
    isolateState().faults.record("ledger", new Error("test fault"));
    const now = Date.now() + 7_200_000; // past any earlier publish in this isolate
    const down = { put: () => Promise.reject(new Error("kv down")) } as unknown as KVNamespace;
    await isolateState().faults.publish(down, now);
    const write = isolateState().faults.publish(env.BLOCKLIST, now + 61_000);
    expect(write).not.toBeNull();
    await write;
    const keys = await env.BLOCKLIST.list({ prefix: "stats:faults:" });
    const stored = JSON.parse(valueFromMetadata(keys.keys[0]?.metadata) ?? "null") as { counts: Record<string, number> };
    expect(stored.counts.ledger).toBeGreaterThanOrEqual(1);
  });
});

describe("dev fault switch and edge metrics", () => {
  it("leaves the bindings untouched unless DEV_FAULTS is on", async () => {
    expect(withDevFaults(env)).toBe(env);
    const response = await devFaultSwitch(new Request(`http://site.test${DEV_FAULTS_PATH}`, { method: "POST", body: '{"kv":true}' }), env);
    expect(response).toBeNull(); // not intercepted: without DEV_FAULTS the path is the site's
  });

  it("with DEV_FAULTS on, makes KV fail while switched on and work again once off", async () => {
    const dev = withDevFaults({ ...env, DEV_FAULTS: "on" });
    const flip = async (on: boolean) =>
      (
        await devFaultSwitch(new Request(`http://site.test${DEV_FAULTS_PATH}`, { method: "POST", body: JSON.stringify({ kv: on }) }), dev)
      )?.json();
    expect(await flip(true)).toEqual({ failing: ["kv"] });
    await expect(dev.BLOCKLIST.get("x")).rejects.toThrow(/kv unreachable/);
    expect(await flip(false)).toEqual({ failing: [] });
    await expect(dev.BLOCKLIST.get("x")).resolves.toBeNull();
    const bad = await devFaultSwitch(new Request(`http://site.test${DEV_FAULTS_PATH}`, { method: "POST", body: '{"disk":true}' }), dev);
    expect(bad?.status).toBe(400);
  });

  it("serves its metrics only to the holder of METRICS_TOKEN, with every isolate map's size and cap", async () => {
    const url = `http://site.test${EDGE_METRICS_PATH}`;
    const now = Date.now();
    expect(edgeMetrics(new Request(url), env, isolateState(), now)?.status).toBe(404); // no METRICS_TOKEN
    const withToken = { ...env, METRICS_TOKEN: "metrics-token-for-tests" };
    expect(edgeMetrics(new Request(url, { headers: { authorization: "Bearer wrong" } }), withToken, isolateState(), now)?.status).toBe(401);
    const ok = edgeMetrics(
      new Request(url, { headers: { authorization: "Bearer metrics-token-for-tests" } }),
      withToken,
      isolateState(),
      now,
    );
    const text = (await ok?.text()) ?? "";
    expect(ok?.status).toBe(200);
    expect(text).toMatch(/^edge_guard_edge_faults_total\{kind="origin"\} \d+$/m);
    for (const map of ["blocklist", "counters", "fleet", "directories", "reports", "consistency"])
      expect(text).toMatch(new RegExp(`^edge_guard_edge_map_cap\\{map="${map}"\\} [1-9]\\d*$`, "m"));
    expect(edgeMetrics(new Request("http://site.test/metrics"), withToken, isolateState(), now)).toBeNull(); // the site's own /metrics is untouched
  });
});

describe("isolate maps stay within their caps whatever the traffic", () => {
  it("evicts instead of growing past each cap", async () => {
    const blocklist = new BlocklistCache(10_000);
    for (let i = 0; i <= MAX_CACHED; i++) blocklist.remember(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, null, 1_000);
    expect(blocklist.size).toBe(MAX_CACHED);

    const counters = new Counters();
    for (let i = 0; i <= MAX_KEYS; i++) counters.hit([`ip:${i}`], "req", 1_000 + i);
    expect(counters.size().keys).toBeLessThanOrEqual(MAX_KEYS);

    const fleets = new FleetFlags(isolateState().faults);
    for (let i = 0; i <= MAX_LEARNED; i++) {
      fleets.learn(`group-${i}`, 10_000_000);
      fleets.shouldSend(`group-x${i}`, `10.0.0.${i & 255}`, ["ua-scripted"], 1_000);
    }
    expect(fleets.size).toBeLessThanOrEqual(MAX_LEARNED);

    const directories = new DirectoryCache();
    for (let i = 0; i <= CACHE_MAX_ORIGINS + 10; i++)
      directories.set(`https://signer-${i}.example`, { keys: null, failure: "directory_unreachable", checkedAt: 0, retryAt: 0 });
    expect(directories.size).toBe(CACHE_MAX_ORIGINS);

    const reports = new ReportBuffer(isolateState().faults);
    const { queue, setDown } = flakyQueue();
    setDown(true);
    for (let i = 0; i <= MAX_HELD_REPORTS + 10; i++) await reports.decision(aReport(`r${i}`), queue, 1_000);
    expect(reports.size).toBe(MAX_HELD_REPORTS);
  });
});
