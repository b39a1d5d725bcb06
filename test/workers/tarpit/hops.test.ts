import { env as rawEnv } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { parseBlocklistEntry } from "../../../core/blocklist-entry";
import { DecisionReportSchema } from "../../../core/report";
import { RANGE_INDEX_INSTANCE } from "../../../durable-objects/range-index";
import type { TarpitEnv } from "../../../workers/tarpit/env";
import { call, envWith, tarpitFor } from "./support";

const env = rawEnv as unknown as TarpitEnv;
const policy = { limit: 3, windowMs: 60_000, blockTtlSeconds: 120, blockPrefix: "none" } as const;

async function hops(e: TarpitEnv, ip: string, n: number, site?: string): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) {
    const extra: Record<string, string> = site === undefined ? {} : { "x-edge-guard-site": site };
    const { response, settled } = await call(e, `/archive/${i.toString(16).padStart(8, "0")}/hop`, ip, "GET", extra);
    statuses.push(response.status);
    await response.arrayBuffer();
    await settled();
  }
  return statuses;
}

describe("hop limit", () => {
  it("puts the IP on the KV blocklist and tells escalation once, after HOP_LIMIT hops", async () => {
    const { env: e, reports } = envWith({ HOP_LIMIT: "3", STREAM_DELAY_MS: "0" });
    const ip = "81.2.69.20";
    expect(await hops(e, ip, 3)).toEqual([200, 200, 200]);
    expect(await env.BLOCKLIST.get(`ip:${ip}`)).toBeNull();
    expect(reports).toEqual([]);

    expect(await hops(e, ip, 1)).toEqual([200]); // the tarpit still answers; edge-guard does the 403 from now on
    const raw = await env.BLOCKLIST.get(`ip:${ip}`);
    expect(raw).not.toBeNull();
    expect(parseBlocklistEntry(raw ?? "")).toMatchObject({
      action: "block",
      source: "tarpit",
      score: 70,
      reason: expect.stringMatching(/^tarpit-hop-limit: 4 tarpit hops/),
    });
    expect(reports).toHaveLength(1);
    expect(DecisionReportSchema.parse(reports[0])).toMatchObject({
      source: "tarpit",
      ip,
      action: "block",
      label: { kind: "tarpit-hop-out", value: "bot" },
    });
    expect(reports[0]?.counts.tarpitHits).toBe(4);

    await hops(e, ip, 2); // already blocked: no second report
    expect(reports).toHaveLength(1);
    expect((await tarpitFor(e).stats()).counters.blocks).toBeGreaterThanOrEqual(1);
  });

  it("counts a client's hops per site, and blocks it on the site where it hopped out", async () => {
    const { env: e, reports } = envWith({ HOP_LIMIT: "3", STREAM_DELAY_MS: "0" });
    const ip = "81.2.69.41";
    expect(await hops(e, ip, 3, "blog")).toEqual([200, 200, 200]);
    expect(await hops(e, ip, 3, "forge")).toEqual([200, 200, 200]);
    expect(await hops(e, ip, 2)).toEqual([200, 200]); // the default site (no header, as from an older edge)
    expect(reports).toEqual([]); // three hops on each site: none past its limit
    expect(await hops(e, ip, 1, "blog")).toEqual([200]);
    expect(await env.BLOCKLIST.get(`site:blog:ip:${ip}`)).not.toBeNull();
    expect(await env.BLOCKLIST.get(`site:forge:ip:${ip}`)).toBeNull();
    expect(await env.BLOCKLIST.get(`ip:${ip}`)).toBeNull();
    expect(reports).toHaveLength(1);
    expect(DecisionReportSchema.parse(reports[0])).toMatchObject({ ip, site: "blog", action: "block" });
    // The default site's counter is the one named by the address alone (kept from before sites): a header naming
    // the default site, or one that is not a site id, counts there.
    expect(await hops(e, ip, 1, "default")).toEqual([200]);
    expect(await env.BLOCKLIST.get(`ip:${ip}`)).toBeNull();
    expect(await hops(e, ip, 1, "Not a site!")).toEqual([200]);
    expect(await env.BLOCKLIST.get(`ip:${ip}`)).not.toBeNull();
  });

  it("blocks the /24 too when BLOCK_PREFIX is prefix", async () => {
    const { env: e } = envWith({ HOP_LIMIT: "1", STREAM_DELAY_MS: "0", BLOCK_PREFIX: "prefix" });
    await hops(e, "81.2.70.30", 2);
    const prefix = await env.RANGE_INDEX.getByName(RANGE_INDEX_INSTANCE).get(["cidr:81.2.70.0/24"]);
    expect(parseBlocklistEntry(prefix[0]?.raw ?? "")).toMatchObject({ source: "tarpit", action: "block" });
  });

  it("does not count a request edge-guard marks as no hop (another site sent the browser), and counts the rest", async () => {
    const { env: e, reports } = envWith({ HOP_LIMIT: "1", STREAM_DELAY_MS: "0" });
    const ip = "81.2.69.40";
    for (let i = 0; i < 4; i++) {
      const { response, settled } = await call(e, `/archive/${i.toString(16).padStart(8, "0")}/hop`, ip, "GET", {
        "x-edge-guard-no-hop": "1",
      });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain("<!DOCTYPE html>");
      await settled();
    }
    expect(reports).toEqual([]);
    expect(await env.BLOCKLIST.get(`ip:${ip}`)).toBeNull();
    // Any other value is not the edge's mark: counted.
    for (let i = 0; i < 2; i++) {
      const { response, settled } = await call(e, `/archive/${i.toString(16).padStart(8, "0")}/next`, ip, "GET", {
        "x-edge-guard-no-hop": "yes",
      });
      await response.arrayBuffer();
      await settled();
    }
    expect(reports).toHaveLength(1);
    expect(reports[0]?.counts.tarpitHits).toBe(2); // the four marked requests were never counted
  });

  it("does not count a request without a client IP", async () => {
    const { env: e, reports } = envWith({ HOP_LIMIT: "1", STREAM_DELAY_MS: "0" });
    for (let i = 0; i < 3; i++) await (await call(e, "/archive/x")).response.text();
    expect(reports).toEqual([]);
  });

  it("still answers, unthrottled, when the hop counter is unreachable", async () => {
    const broken = { getByName: () => ({ hop: () => Promise.reject(new Error("DO down")) }) } as unknown as TarpitEnv["HOP_COUNTER"];
    const { env: e } = envWith({ STREAM_DELAY_MS: "1000" });
    const before = (await tarpitFor(e).stats()).counters.faults;
    const { response } = await call({ ...e, HOP_COUNTER: broken }, "/archive/0badf00d/x", "81.2.69.21");
    expect(response.status).toBe(200);
    expect((await response.text()).length).toBeGreaterThan(2000);
    expect((await tarpitFor(e).stats()).counters.faults).toBe(before + 1);
  });
});

describe("HopCounter", () => {
  it("hands out stream slots up to the maximum, and takes back expired ones", async () => {
    const counter = env.HOP_COUNTER.getByName("slots");
    const claim = { max: 1, leaseMs: 1000 };
    const a = await counter.hop(10_000, policy, claim);
    expect(a.lease).not.toBeNull();
    expect((await counter.hop(10_500, policy, claim)).lease).toBeNull();
    expect((await counter.hop(11_000, policy, claim)).lease).not.toBeNull(); // the first lease ran out
    expect(await counter.activeStreams(11_000)).toBe(1);
  });

  it("counts hops inside the window only", async () => {
    const counter = env.HOP_COUNTER.getByName("window");
    const now = Date.now();
    await counter.hop(now - 120_000, policy, null);
    const answer = await counter.hop(now, policy, null);
    expect(answer).toMatchObject({ inWindow: 1, m1: 1, m10: 2, block: false });
  });

  it("forgets a client that went quiet when the alarm fires", async () => {
    const counter = env.HOP_COUNTER.getByName("quiet");
    await counter.hop(Date.now() - 11 * 60_000, policy, null);
    expect(await runDurableObjectAlarm(counter)).toBe(true);
    const rows = await runInDurableObject(counter, (_c, state) =>
      state.storage.sql.exec("SELECT count(*) AS n FROM sqlite_master WHERE name = 'hops'").one(),
    );
    expect(rows.n).toBe(0); // deleteAll: not even the schema is left
    expect(await counter.hop(Date.now(), policy, null)).toMatchObject({ inWindow: 1 }); // and it starts again
  });
});

describe("metrics", () => {
  it("flushes counters to the TarpitMetrics object, where metrics() reads them with the cost figures", async () => {
    const { env: e } = envWith({ STREAM_DELAY_MS: "0" });
    const before = (await tarpitFor(e).metrics(5)).totals.pages;
    await hops(e, "81.2.69.22", 3);
    const view = await tarpitFor(e).metrics(5);
    expect(view.totals.pages).toBeGreaterThanOrEqual(before + 2); // the last request's flush may still be on its way
    expect(view.totals.bytes).toBeGreaterThan(0);
    expect(view.totals.cpuSecondsEstimate).toBeGreaterThan(0);
    expect(view.minutes.length).toBeGreaterThanOrEqual(1);
    expect(view.minutes[0]?.minute).toMatch(/:00\.000Z$/);
  });
});
