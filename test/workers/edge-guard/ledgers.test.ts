import { env as rawEnv } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { FLEET_FLAG_MS, FLEET_MIN_ADDRESSES, FLEET_WINDOW_MS } from "../../../core/fleet";
import { FLEET_INDEX_KV_KEY, FleetIndexSchema } from "../../../core/fleet-index";
import type { EdgeGuardEnv } from "../../../workers/edge-guard/env";

const env = rawEnv as unknown as EdgeGuardEnv;
const T = 1_800_000_000_000;

describe("PassLedger", () => {
  it("counts pages over a minute, ten minutes and an hour, exactly", async () => {
    const ledger = env.PASS_LEDGER.getByName("pass:test-binding-1");
    await ledger.page(T);
    await ledger.page(T + 30_000);
    await ledger.page(T + 5 * 60_000);
    expect(await ledger.page(T + 5 * 60_000 + 1)).toEqual({ m1: 2, m10: 4, h1: 4 });
    expect(await ledger.page(T + 30 * 60_000)).toEqual({ m1: 1, m10: 1, h1: 5 });
  });

  it("issues at most `perHour` in any hour, and again once the oldest is an hour old", async () => {
    const ledger = env.PASS_LEDGER.getByName("nojs-group:test");
    expect(await ledger.issue(T, 2)).toBe(true);
    expect(await ledger.issue(T + 1_000, 2)).toBe(true);
    expect(await ledger.issue(T + 2_000, 2)).toBe(false);
    expect(await ledger.issue(T + 3_600_001, 2)).toBe(true);
  });
});

describe("FleetLedger", () => {
  it("flags a group when enough distinct addresses show evidence in the window, and publishes it to KV", async () => {
    const group = "grp-test.1";
    const ledger = env.FLEET_LEDGER.getByName(group);
    // One address again and again is not a fleet.
    for (let i = 0; i < 5; i++) expect((await ledger.evidence(group, "24.1.1.1", ["trap-path"], "UA", T + i)).flaggedUntil).toBeNull();
    // Evidence older than the window does not count.
    await ledger.evidence(group, "24.2.2.2", ["no-subresources"], "UA", T - FLEET_WINDOW_MS - 1);
    const addresses = Array.from({ length: FLEET_MIN_ADDRESSES - 1 }, (_, i) => `24.3.${i}.1`);
    let answer = { flaggedUntil: null as number | null, addresses: 0 };
    for (const ip of addresses) answer = await ledger.evidence(group, ip, ["honeypot-foreign"], "Mozilla/5.0 fleet", T + 100);
    expect(answer).toEqual({ flaggedUntil: T + 100 + FLEET_FLAG_MS, addresses: FLEET_MIN_ADDRESSES });
    const index = FleetIndexSchema.parse(await env.BLOCKLIST.get(FLEET_INDEX_KV_KEY, "json"));
    expect(index.groups).toHaveLength(1);
    expect(index.groups[0]).toMatchObject({
      group,
      addresses: FLEET_MIN_ADDRESSES,
      userAgent: "Mozilla/5.0 fleet",
      evidence: { "trap-path": 5, "honeypot-foreign": FLEET_MIN_ADDRESSES - 1 },
    });
  });
});
