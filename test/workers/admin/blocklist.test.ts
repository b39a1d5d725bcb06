import { describe, expect, it } from "vitest";
import { BlocklistStore } from "../../../adapters/blocklist-store";
import { withDb } from "../../../adapters/db/client";
import { auditLog } from "../../../adapters/db/schema";
import { eq } from "drizzle-orm";
import { apiToken, baseEnv, bearer, call, jsonInit, testEnv } from "./support";

const operator = async () => ({ ...bearer(await apiToken("operator", "blocklist-operator")), "content-type": "application/json" });
const post = async (path: string, body: unknown) => call(path, { ...jsonInit("POST", body), headers: await operator() });
/** An entry as stored: `ip:` in KV, networks and the allow-list in the RangeIndex. */
const stored = async (key: string) => JSON.parse((await new BlocklistStore(baseEnv, "operator").get(key)) ?? "null") as unknown;
const auditFor = (target: string) =>
  withDb(baseEnv, (d) => d.select().from(auditLog).where(eq(auditLog.target, target)).orderBy(auditLog.id));

describe("blocklist", () => {
  it("adds IP, CIDR and ASN entries with TTL, reason and source, lists them, and removes one", async () => {
    const ip = await post("/api/blocklist", { target: "45.70.1.1", reason: "scraper", ttlSeconds: 3600 });
    expect(ip.status).toBe(201);
    expect(await ip.json()).toMatchObject({
      kind: "ip",
      key: "ip:45.70.1.1",
      action: "block",
      reason: "scraper",
      source: "operator",
      expiresAt: expect.any(String),
    });
    expect(await baseEnv.BLOCKLIST.get("ip:45.70.1.1", "json")).toMatchObject({
      action: "block",
      reason: "scraper",
      source: "operator",
      at: expect.any(Number),
    });
    expect((await post("/api/blocklist", { target: "45.70.2.0/24", action: "tarpit", reason: "subnet", ttlSeconds: null })).status).toBe(
      201,
    );
    expect((await post("/api/blocklist", { target: "AS64999", reason: "nope" })).status).toBe(400);
    expect((await post("/api/blocklist", { target: "AS14061", kind: "asn", reason: "hosting" })).status).toBe(201);

    const headers = await operator();
    const cidrs = (await (await call("/api/blocklist?kind=cidr", { headers })).json()) as { entries: unknown[]; nextCursor: string | null };
    expect(cidrs.entries).toEqual([expect.objectContaining({ target: "45.70.2.0/24", action: "tarpit", expiresAt: null })]);
    const asns = (await (await call("/api/blocklist?kind=asn", { headers })).json()) as { entries: unknown[] };
    expect(asns.entries).toEqual([expect.objectContaining({ target: "AS14061", key: "asn:14061" })]);

    const removed = await call("/api/blocklist?target=45.70.1.1", { method: "DELETE", headers });
    expect(removed.status).toBe(200);
    expect(await baseEnv.BLOCKLIST.get("ip:45.70.1.1")).toBeNull();
    expect((await call("/api/blocklist?target=45.70.1.1", { method: "DELETE", headers })).status).toBe(404);
    const trail = await auditFor("ip:45.70.1.1");
    expect(trail.map((r) => r.action)).toEqual(["blocklist.add", "blocklist.remove"]);
    expect(trail[1]).toMatchObject({ actor: "token:blocklist-operator", old: expect.objectContaining({ reason: "scraper" }), new: null });
  });

  it("lists entries other Workers wrote without metadata", async () => {
    await baseEnv.BLOCKLIST.put(
      "ip:45.70.9.9",
      JSON.stringify({ action: "block", reason: "model score 0.99", source: "escalation", score: 0.99, at: 1 }),
      { expirationTtl: 600 },
    );
    const page = (await (await call("/api/blocklist?kind=ip&limit=100", { headers: await operator() })).json()) as {
      entries: Array<{ target: string }>;
    };
    expect(page.entries).toContainEqual(expect.objectContaining({ target: "45.70.9.9", source: "escalation", score: 0.99 }));
  });

  it("refuses reserved, allow-listed and verified-crawler targets", async () => {
    for (const [target, words] of [
      ["10.1.2.3", "reserved"],
      ["192.168.1.0/24", "reserved"],
      ["66.249.66.1", "googlebot"],
      ["203.0.113.5", "reserved"],
    ] as const) {
      const response = await post("/api/blocklist", { target, reason: "x" });
      expect(response.status, target).toBe(422);
      expect(await response.json()).toMatchObject({ error: "unsafe_target", message: expect.stringContaining(words) });
    }
    expect((await post("/api/allowlist", { target: "45.71.0.0/24", reason: "office" })).status).toBe(201);
    const response = await post("/api/blocklist", { target: "45.71.0.9", reason: "x" });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ message: expect.stringContaining("allow-listed") });
  });

  it("accepts documentation addresses only in DEV_MODE (the dev stack's demo clients)", async () => {
    const response = await call(
      "/api/blocklist",
      { ...jsonInit("POST", { target: "203.0.113.77", reason: "demo" }), headers: await operator() },
      testEnv({ DEV_MODE: "on" }),
    );
    expect(response.status).toBe(201);
  });

  it("imports a plain list with safety checks and exports the import format", async () => {
    const text = "# test import\n45.72.1.1\n45.72.2.0/24\n10.0.0.1\n66.249.66.1\nbogus\n45.72.1.1\n";
    const dry = await post("/api/blocklist/import", { text, reason: "bulk", dryRun: true });
    expect(await dry.json()).toMatchObject({ added: 0, dryRun: true, targets: ["45.72.1.1", "45.72.2.0/24"] });
    expect(await baseEnv.BLOCKLIST.get("ip:45.72.1.1")).toBeNull();
    const real = await post("/api/blocklist/import", { text, reason: "bulk", ttlSeconds: 600 });
    const result = (await real.json()) as { added: number; refused: Array<{ line: number; error: string }> };
    expect(result.added).toBe(2);
    expect(result.refused.map((r) => r.line)).toEqual([4, 5, 6]);
    expect(await stored("cidr:45.72.2.0/24")).toMatchObject({ reason: "bulk", source: "operator" });
    expect((await auditFor("cidr:45.72.2.0/24")).map((r) => r.action)).toEqual(["blocklist.import"]);

    const exported = await call("/api/blocklist/export", { headers: await operator() });
    expect(exported.headers.get("content-type")).toContain("text/plain");
    const lines = (await exported.text()).split("\n");
    expect(lines).toEqual(expect.arrayContaining(["45.72.1.1", "45.72.2.0/24", "AS14061"]));
  });
});

describe("allow-list", () => {
  it("adds an entry (removing the exact block), lists it, and removes it", async () => {
    await post("/api/blocklist", { target: "45.73.1.1", reason: "mistake" });
    const added = await post("/api/allowlist", { target: "45.73.1.1", reason: "our monitoring" });
    expect(added.status).toBe(201);
    expect(await baseEnv.BLOCKLIST.get("ip:45.73.1.1")).toBeNull();
    expect(await stored("allow:45.73.1.1")).toMatchObject({ reason: "our monitoring", source: "operator", by: "token:blocklist-operator" });
    const list = (await (await call("/api/allowlist", { headers: await operator() })).json()) as { entries: unknown[] };
    expect(list.entries).toContainEqual(expect.objectContaining({ target: "45.73.1.1", kind: "ip", reason: "our monitoring" }));
    expect((await post("/api/allowlist", { target: "AS13335", reason: "x" })).status).toBe(400);
    const removed = await call("/api/allowlist?target=45.73.1.1", { method: "DELETE", headers: await operator() });
    expect(removed.status).toBe(200);
    expect((await auditFor("allow:45.73.1.1")).map((r) => r.action)).toEqual(["allowlist.add", "allowlist.remove"]);
  });
});
