import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env as rawEnv, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { EDGE_MODE_VAR_KEY } from "../../../core/mode";
import { app } from "../../../workers/edge-guard/app";
import type { EdgeGuardEnv } from "../../../workers/edge-guard/env";

const env = rawEnv as unknown as EdgeGuardEnv;
const GPTBOT_UA = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)";
let next = 1;
const freshIp = () => `198.18.77.${next++}`;
const gptbot = () => new Request("http://site.test/", { headers: { "user-agent": GPTBOT_UA, "cf-connecting-ip": freshIp() } });

/** edge-guard's answer with the given MODE var (everything else as configured). */
async function withModeVar(mode: string): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await app.fetch(gptbot(), { ...env, MODE: mode }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

// Before any request of this file's isolate: the operator switched the policy to observe in admin.
beforeAll(async () => {
  await env.BLOCKLIST.put("policy:active", JSON.stringify({ version: 1, preset: "moderate", mode: "observe", rules: [] }));
});

describe("MODE var and the policy's mode", () => {
  it("as committed (MODE empty), lets the policy's observe switch decide: an AI crawler reaches the origin", async () => {
    const response = await exports.default.fetch(gptbot(), { redirect: "manual" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-stub")).toBeNull();
    expect(await response.text()).toContain("<main");
  });

  it("publishes the deployed MODE var once for admin", async () => {
    // Written in the first request's waitUntil.
    await vi.waitFor(async () =>
      expect(await env.BLOCKLIST.get(EDGE_MODE_VAR_KEY, "json")).toEqual({ modeVar: "", at: expect.any(Number) }),
    );
  });

  it("lets an explicit MODE var win over the policy", async () => {
    const enforced = await withModeVar("enforce");
    expect(enforced.headers.get("x-stub")).toBe("tarpit");
    await enforced.body?.cancel();
    const observed = await withModeVar("observe");
    expect(observed.headers.get("x-stub")).toBeNull();
    await observed.body?.cancel();
  });

  it("ignores a MODE var that is neither observe nor enforce (the policy decides)", async () => {
    const response = await withModeVar("enforcing");
    expect(response.headers.get("x-stub")).toBeNull();
    await response.body?.cancel();
  });
});
