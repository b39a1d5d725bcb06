import { describe, expect, it } from "vitest";
import { EDGE_MODE_VAR_KEY } from "../../../core/mode";
import { apiToken, baseEnv, bearer, call, jsonInit } from "./support";

const headers = async (role: "viewer" | "operator" = "operator") => ({
  ...bearer(await apiToken(role, `mode-${role}`)),
  "content-type": "application/json",
});
const view = async () =>
  ((await (await call("/api/policy", { headers: await headers("viewer") })).json()) as { mode: Record<string, unknown> }).mode;

describe("which mode is in force, and why", () => {
  it("says the policy decides, with a caveat, before any edge has reported its MODE var", async () => {
    expect(await view()).toMatchObject({
      inForce: "enforce",
      source: "unknown",
      modeVar: null,
      policyMode: "enforce",
      reason: expect.stringMatching(/no edge has reported its MODE var yet/),
    });
  });

  it("shows the policy's observe switch in force when the edge's MODE var is empty", async () => {
    await baseEnv.BLOCKLIST.put(EDGE_MODE_VAR_KEY, JSON.stringify({ modeVar: "", at: 1_700_000_000_000 }));
    const switched = await call("/api/policy/mode", { ...jsonInit("PUT", { mode: "observe" }), headers: await headers() });
    expect(((await switched.json()) as { mode: unknown }).mode).toMatchObject({
      inForce: "observe",
      source: "policy",
      modeVar: "",
      policyMode: "observe",
      reportedAt: 1_700_000_000_000,
    });
  });

  it("shows an explicit MODE var overriding the policy, naming both", async () => {
    await baseEnv.BLOCKLIST.put(EDGE_MODE_VAR_KEY, JSON.stringify({ modeVar: "enforce", at: 1_700_000_000_001 }));
    expect(await view()).toEqual({
      inForce: "enforce",
      source: "var",
      modeVar: "enforce",
      policyMode: "observe",
      reportedAt: 1_700_000_000_001,
      reason: expect.stringMatching(/MODE = "enforce" in edge-guard's wrangler\.toml overrides the policy's "observe"/),
    });
  });
});
