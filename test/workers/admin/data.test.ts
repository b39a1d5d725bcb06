import { describe, expect, it } from "vitest";
import { withDb } from "../../../adapters/db/client";
import { operatorLabels } from "../../../adapters/db/schema";
import { eq } from "drizzle-orm";
import { METRICS_TOKEN, apiToken, baseEnv, bearer, call, clock, insertDecision, jsonInit } from "./support";

const viewer = async () => bearer(await apiToken("viewer", "data-viewer"));
const operator = async () => ({ ...bearer(await apiToken("operator", "data-operator")), "content-type": "application/json" });

describe("decisions feed", () => {
  it("filters by ip, action, verdict, reason and time, and pages with a cursor", async () => {
    for (let i = 0; i < 5; i++)
      await insertDecision(`data-feed-${i}`, "45.90.1.1", { edgeAction: i % 2 === 0 ? "block" : "tarpit", verdict: "bot" });
    await insertDecision("data-feed-human", "45.90.1.2", {
      edgeAction: "allow",
      verdict: "human",
      reasons: [{ code: "hdr-ok", weight: 0 }],
    });
    const h = await viewer();
    const page1 = (await (await call("/api/decisions?ip=45.90.1.1&limit=2", { headers: h })).json()) as {
      decisions: Array<{ reportId: string }>;
      nextCursor: string;
    };
    expect(page1.decisions.map((d) => d.reportId)).toEqual(["data-feed-4", "data-feed-3"]);
    const page2 = (await (await call(`/api/decisions?ip=45.90.1.1&limit=2&cursor=${page1.nextCursor}`, { headers: h })).json()) as {
      decisions: Array<{ reportId: string }>;
    };
    expect(page2.decisions.map((d) => d.reportId)).toEqual(["data-feed-2", "data-feed-1"]);
    const blocks = (await (await call("/api/decisions?ip=45.90.1.1&action=block", { headers: h })).json()) as { decisions: unknown[] };
    expect(blocks.decisions).toHaveLength(3);
    const humans = (await (await call("/api/decisions?verdict=human&reason=hdr-ok", { headers: h })).json()) as {
      decisions: Array<{ ip: string }>;
    };
    expect(humans.decisions.map((d) => d.ip)).toEqual(["45.90.1.2"]);
    const future = new Date(clock.now + 3_600_000).toISOString();
    expect(((await (await call(`/api/decisions?since=${future}`, { headers: h })).json()) as { decisions: unknown[] }).decisions).toEqual(
      [],
    );
    expect((await call("/api/decisions?action=explode", { headers: h })).status).toBe(400);
  });

  it("shows one decision, and labels it human or bot into operator_labels", async () => {
    const id = await insertDecision("data-label-1", "45.90.2.1");
    expect(await (await call(`/api/decisions/${id}`, { headers: await viewer() })).json()).toMatchObject({ id, reportId: "data-label-1" });
    expect((await call("/api/decisions/999999999", { headers: await viewer() })).status).toBe(404);
    const labelled = await call(`/api/decisions/${id}/label`, {
      ...jsonInit("POST", { value: "human", note: "our CEO" }),
      headers: await operator(),
    });
    expect(labelled.status).toBe(201);
    const rows = await withDb(baseEnv, (d) => d.select().from(operatorLabels).where(eq(operatorLabels.reportId, "data-label-1")));
    expect(rows).toEqual([expect.objectContaining({ ip: "45.90.2.1", value: "human", note: "our CEO", createdBy: "token:data-operator" })]);
    const byIp = await call("/api/labels", { ...jsonInit("POST", { ip: "45.90.2.2", value: "bot" }), headers: await operator() });
    expect(byIp.status).toBe(201);
    const list = (await (await call("/api/labels?ip=45.90.2.2", { headers: await viewer() })).json()) as {
      labels: Array<{ id: number; value: string }>;
    };
    expect(list.labels).toEqual([expect.objectContaining({ value: "bot" })]);
    expect((await call(`/api/labels/${list.labels[0]?.id}`, { method: "DELETE", headers: await operator() })).status).toBe(200);
  });
});

describe("overview", () => {
  it("answers the dashboard's figures, with named nulls where no source is stored", async () => {
    await insertDecision("data-ov-1", "45.91.1.1", {
      edgeAction: "block",
      prefix: "45.91.1.0/24",
      report: { cf: { asn: 64501, asOrganization: "Test Hosting" } },
    });
    await insertDecision("data-ov-2", "45.91.1.1", {
      edgeAction: "challenge",
      labelKind: "challenge-solved",
      labelValue: "human",
      modelVersion: "lr-test-2",
    });
    const response = await call("/api/overview?hours=2&bucketMinutes=15", { headers: await viewer() });
    expect(response.status).toBe(200);
    const o = (await response.json()) as Record<string, unknown> & {
      requestsOverTime: Array<Record<string, number>>;
      challenge: { issued: number; passed: number };
    };
    expect(o.requestsOverTime.reduce((n, b) => n + (b.block ?? 0), 0)).toBeGreaterThanOrEqual(1);
    expect(o.topBlockedIps).toContainEqual({ key: "45.91.1.1", count: expect.any(Number) });
    expect(o.topBlockedPrefixes).toContainEqual({ key: "45.91.1.0/24", count: 1 });
    expect(o.topBlockedAsns).toContainEqual({ key: "64501", label: "Test Hosting", count: 1 });
    expect(o.topReasons).toContainEqual(expect.objectContaining({ key: "ua-ai-crawler" }));
    expect(o.challenge.passed).toBeGreaterThanOrEqual(1);
    expect(o.modelVersion).toBe("lr-test-2");
    expect(o).toMatchObject({ tarpit: { heldSeconds: 4242, bytes: 123456 } }); // from the tarpit's metrics() RPC
  });

  it("sums the fail-open faults edge isolates published to KV, by kind", async () => {
    const stats = (counts: Record<string, number>) => JSON.stringify({ at: Date.now(), counts });
    const env = baseEnv;
    await env.BLOCKLIST.put("stats:faults:isolate-a", stats({ blocklist: 2, ledger: 1 }), { metadata: stats({ blocklist: 2, ledger: 1 }) });
    await env.BLOCKLIST.put("stats:faults:isolate-b", stats({ blocklist: 3 })); // no metadata: read by key
    const response = await call("/api/overview?hours=1&bucketMinutes=15", { headers: await viewer() });
    const o = (await response.json()) as { faults: { failOpen: number; byKind: Record<string, number> } };
    expect(o.faults).toEqual({ failOpen: 6, byKind: { blocklist: 5, ledger: 1 } });
    await env.BLOCKLIST.delete("stats:faults:isolate-a");
    await env.BLOCKLIST.delete("stats:faults:isolate-b");
  });
});

describe("/metrics", () => {
  it("serves Prometheus text to the holder of METRICS_TOKEN only", async () => {
    await insertDecision("data-metrics-1", "45.92.1.1", { edgeAction: "block", recordedAt: new Date() });
    expect((await call("/metrics")).status).toBe(401);
    expect((await call("/metrics", { headers: bearer("wrong-token-0123456789") })).status).toBe(401);
    const response = await call("/metrics", { headers: bearer(METRICS_TOKEN) });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    const text = await response.text();
    expect(text).toContain("# TYPE edge_guard_decisions_total counter");
    expect(text).toMatch(/edge_guard_decisions_total\{action="block"\} \d+/);
    expect(text).toMatch(/edge_guard_reasons_last_hour\{reason="ua-ai-crawler"\} \d+/);
    expect(text).toMatch(/edge_guard_model_info\{version="[^"]+"\} 1/);
    expect(text).toContain("edge_guard_queue_lag_seconds");
    expect(text).toContain("edge_guard_faults_total");
    expect(text).toContain("edge_guard_tarpit_held_seconds_last_day 4242");
    // No token configured: the endpoint does not exist.
    expect((await call("/metrics", { headers: bearer(METRICS_TOKEN) }, { ...baseEnv, METRICS_TOKEN: "" })).status).toBe(404);
  });
});

describe("audit log", () => {
  it("records changes with actor, old and new values, filterable by action prefix", async () => {
    const h = await operator();
    await call("/api/blocklist", { ...jsonInit("POST", { target: "45.93.1.1", reason: "first" }), headers: h });
    await call("/api/blocklist", { ...jsonInit("POST", { target: "45.93.1.1", reason: "second" }), headers: h });
    const page = (await (await call("/api/audit?action=blocklist.*&target=ip:45.93.1.1", { headers: await viewer() })).json()) as {
      events: Array<Record<string, unknown>>;
    };
    expect(page.events).toHaveLength(2);
    expect(page.events[0]).toMatchObject({
      actor: "token:data-operator",
      action: "blocklist.add",
      old: { reason: "first" },
      new: { reason: "second" },
      at: expect.any(String),
    });
    expect(page.events[1]).toMatchObject({ old: null, new: { reason: "first" } });
  });
});
