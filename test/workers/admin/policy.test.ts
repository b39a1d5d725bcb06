import { describe, expect, it } from "vitest";
import { apiToken, baseEnv, bearer, call, insertDecision, jsonInit } from "./support";

const headers = async (role: "viewer" | "operator" = "operator") => ({
  ...bearer(await apiToken(role, `policy-${role}`)),
  "content-type": "application/json",
});

describe("policy", () => {
  it("shows the bundled default until one is saved", async () => {
    const view = (await (await call("/api/policy", { headers: await headers("viewer") })).json()) as {
      source: string;
      compiled: { mode: string; rules: unknown[] };
    };
    expect(view.source).toBe("default");
    expect(view.compiled.mode).toBe("enforce");
    expect(view.compiled.rules.length).toBeGreaterThan(0);
  });

  it("refuses an invalid policy with messages that point at the bad fields", async () => {
    const bad = {
      version: 1,
      thresholds: { challenge: 50, tarpit: 10, block: 90 },
      rules: [{ name: "Bad Name", match: { userAgent: "(" }, action: "deny" }],
    };
    const response = await call("/api/policy", { ...jsonInit("PUT", { policy: bad }), headers: await headers() });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { error: string; message: string; issues: Array<{ path: string }> };
    expect(body.error).toBe("invalid_policy");
    expect(body.issues.map((i) => i.path)).toEqual(expect.arrayContaining(["thresholds", "rules[0].name", "rules[0].match.userAgent"]));
    expect(await baseEnv.BLOCKLIST.get("policy:active")).toBeNull();
    const validate = await call("/api/policy/validate", { ...jsonInit("POST", { policy: bad }), headers: await headers("viewer") });
    expect(await validate.json()).toMatchObject({
      ok: false,
      issues: expect.arrayContaining([expect.objectContaining({ path: "rules[0].match.userAgent" })]),
    });
  });

  it("refuses a signal code the edge never computes (a typo would silently never match) and lists the real ones", async () => {
    const typo = {
      version: 1,
      signalWeights: { "hdr-headles": 80 },
      rules: [{ name: "x", match: { signal: ["ua-ai-crawlr"] }, action: "deny" }],
    };
    const response = await call("/api/policy/validate", { ...jsonInit("POST", { policy: typo }), headers: await headers("viewer") });
    const body = (await response.json()) as { ok: boolean; issues: Array<{ path: string; message: string }> };
    expect(body.ok).toBe(false);
    expect(body.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: "rules[0].match.signal[0]", message: expect.stringContaining('"ua-ai-crawlr"') }),
        expect.objectContaining({ path: 'signalWeights["hdr-headles"]', message: expect.stringContaining('"hdr-headles"') }),
      ]),
    );
    const list = (await (await call("/api/signals", { headers: await headers("viewer") })).json()) as {
      signals: Array<{ code: string; weight: number; description: string }>;
    };
    expect(list.signals).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: "hdr-headless", weight: 50 }),
        expect.objectContaining({ code: "ua-ai-crawler", weight: 60 }),
      ]),
    );
    expect(list.signals.every((s) => s.description.length > 0)).toBe(true);
  });

  it("lists the plugin rules (rules/) with their description and weight, and takes their codes in signalWeights", async () => {
    const list = (await (await call("/api/signals", { headers: await headers("viewer") })).json()) as {
      signals: Array<{ code: string; weight: number; family: string; description: string }>;
    };
    expect(list.signals).toContainEqual(
      expect.objectContaining({
        code: "rule:wp-login-probe",
        weight: 40,
        family: "plugin",
        description: expect.stringContaining("WordPress"),
      }),
    );
    const validate = async (policy: unknown) =>
      (await (await call("/api/policy/validate", { ...jsonInit("POST", { policy }), headers: await headers("viewer") })).json()) as {
        ok: boolean;
        issues?: Array<{ path: string }>;
      };
    expect(await validate({ version: 1, signalWeights: { "rule:wp-login-probe": 90 } })).toMatchObject({ ok: true });
    expect(
      await validate({ version: 1, rules: [{ name: "probe", match: { signal: ["rule:wp-login-probe"] }, action: "deny" }] }),
    ).toMatchObject({
      ok: true,
    });
    expect(await validate({ version: 1, signalWeights: { "rule:no-such-plugin": 90 } })).toMatchObject({
      ok: false,
      issues: [expect.objectContaining({ path: 'signalWeights["rule:no-such-plugin"]' })],
    });
  });

  it("saves a valid policy to KV with history and audit, and switches observe/enforce", async () => {
    const policy = { version: 1, preset: "aggressive", rules: [{ name: "no-wget", match: { userAgent: "^Wget" }, action: "deny" }] };
    const saved = await call("/api/policy", { ...jsonInit("PUT", { policy, note: "stricter" }), headers: await headers() });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toMatchObject({ source: "kv", compiled: { preset: "aggressive", mode: "enforce" } });
    expect(await baseEnv.BLOCKLIST.get("policy:active", "json")).toEqual(policy);

    const observe = await call("/api/policy/mode", { ...jsonInit("PUT", { mode: "observe" }), headers: await headers() });
    expect(await observe.json()).toMatchObject({ compiled: { mode: "observe" } });
    expect(await baseEnv.BLOCKLIST.get("policy:active", "json")).toMatchObject({ mode: "observe", preset: "aggressive" });

    const history = (await (await call("/api/policy/history", { headers: await headers("viewer") })).json()) as {
      versions: Array<{ actor: string; note: string | null }>;
    };
    expect(history.versions.slice(0, 2)).toEqual([
      expect.objectContaining({ actor: "token:policy-operator", note: null }),
      expect.objectContaining({ note: "stricter" }),
    ]);
    const audit = (await (await call("/api/audit?target=policy:active", { headers: await headers("viewer") })).json()) as {
      events: Array<{ action: string; old: unknown; new: unknown }>;
    };
    expect(audit.events[0]).toMatchObject({ action: "policy.mode", old: { preset: "aggressive" }, new: { mode: "observe" } });
    expect(audit.events[1]).toMatchObject({ action: "policy.update", old: { preset: "moderate" } });
  });

  it("dry-runs a candidate against recent decisions: counts before and after, and changed samples", async () => {
    await insertDecision("policy-dry-1", "45.80.1.1", {
      userAgent: "Wget/1.21",
      edgeAction: "allow",
      reasons: [{ code: "ua-tool", weight: 20 }],
    });
    await insertDecision("policy-dry-2", "45.80.1.2", { userAgent: "Mozilla/5.0", edgeAction: "allow", reasons: [] });
    const candidate = {
      version: 1,
      rules: [
        { name: "deny-wget", match: { userAgent: "^Wget" }, action: "deny" },
        { name: "no-x", match: { path: "^/nothing" }, action: "deny" },
      ],
    };
    const response = await call("/api/policy/dry-run", {
      ...jsonInit("POST", { policy: candidate, limit: 2 }),
      headers: await headers("viewer"),
    });
    expect(response.status).toBe(200);
    const result = (await response.json()) as {
      evaluated: number;
      before: Record<string, number>;
      after: Record<string, number>;
      samples: unknown[];
    };
    expect(result.evaluated).toBe(2);
    // The active policy (saved above: aggressive + no-wget) already blocks Wget; the candidate does too.
    expect(result.after.block).toBe(1);
    const bad = await call("/api/policy/dry-run", { ...jsonInit("POST", { policy: { version: 2 } }), headers: await headers("viewer") });
    expect(bad.status).toBe(422);
  });
});
