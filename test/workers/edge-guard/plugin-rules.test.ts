import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env as rawEnv } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { defineRule } from "../../../core/rules/plugin";
import { app, isolateState } from "../../../workers/edge-guard/app";
import type { EdgeGuardEnv } from "../../../workers/edge-guard/env";
import { CHALLENGE_BASE } from "../../../workers/edge-guard/challenge-assets";
import { EDGE_METRICS_PATH, edgeMetrics } from "../../../workers/edge-guard/metrics";
import { CHROME_NAVIGATION_HEADERS } from "../../support/browser-headers";

// Plugin rules (rules/) through the real edge: the bundled example raises a matching request's score, and a rule that
// throws fails open (the request is decided without it) and is counted as a `rule` fault, visible in /metrics.

const env = rawEnv as unknown as EdgeGuardEnv;
let nextIp = 1;
const freshIp = () => `198.18.97.${nextIp++}`;
const bundled = isolateState().rules;
afterEach(() => {
  isolateState().rules = bundled;
});

async function get(path: string, ip: string): Promise<Response> {
  const ctx = createExecutionContext();
  const request = new Request(`http://site.test${path}`, { headers: { ...CHROME_NAVIGATION_HEADERS, "cf-connecting-ip": ip } });
  const response = await app.fetch(request, env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

describe("plugin rules at the edge", () => {
  it("the example rule raises a WordPress probe from a clean browser into the challenge band; the same browser's page passes", async () => {
    expect(bundled.map((r) => r.code)).toContain("rule:wp-login-probe");
    const page = await get("/", freshIp());
    expect(page.status).toBe(200);
    await page.body?.cancel();
    // Without the rule the probe goes to the origin (which has no such page: its own 404 passes through).
    isolateState().rules = [];
    const unruled = await get("/wp-login.php", freshIp());
    expect(unruled.status).toBe(404);
    expect(await unruled.text()).not.toContain(`${CHALLENGE_BASE}/challenge.js`);
    // With it, the same probe from a new address scores into the challenge band and gets the challenge page.
    isolateState().rules = bundled;
    const probe = await get("/wp-login.php", freshIp());
    expect(probe.status).not.toBe(404);
    const body = await probe.text();
    expect(body).toContain(`${CHALLENGE_BASE}/challenge.js`);
    expect(body).not.toContain("wp-login"); // never tells the client why
  });

  it("fails open on a throwing rule: the request is allowed, the fault counted and published in /metrics", async () => {
    const throwing = defineRule({
      name: "broken",
      weight: 500,
      description: "throws on every request",
      evaluate: () => {
        throw new Error("plugin bug");
      },
    });
    isolateState().rules = [...bundled, throwing];
    const before = isolateState().faults.counts().rule;
    const response = await get("/", freshIp());
    expect(response.status).toBe(200);
    await response.body?.cancel();
    expect(isolateState().faults.counts().rule).toBe(before + 1);

    const token = "plugin-rules-metrics-token";
    const metrics = edgeMetrics(
      new Request(`http://site.test${EDGE_METRICS_PATH}`, { headers: { authorization: `Bearer ${token}` } }),
      { ...env, METRICS_TOKEN: token },
      isolateState(),
      Date.now(),
    );
    expect(metrics?.status).toBe(200);
    expect(await metrics?.text()).toMatch(new RegExp(`edge_guard_edge_faults_total\\{kind="rule"\\} ${before + 1}\\b`));
  });
});
