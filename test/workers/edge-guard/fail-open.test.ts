import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env as rawEnv } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { kvKeys } from "../../../core/kv-keys";
import type { BlocklistEntry } from "../../../core/blocklist-entry";
import { app, isolateState } from "../../../workers/edge-guard/app";
import type { EdgeGuardEnv } from "../../../workers/edge-guard/env";
import { CHROME_NAVIGATION_HEADERS } from "../../support/browser-headers";

// Fail open, visibly: a broken store or binding lets the request through (unless the client is already known
// blocked) and counts a fault. Each test breaks one binding of the real app's env.

const env = rawEnv as unknown as EdgeGuardEnv;
let nextIp = 1;
const freshIp = () => `198.18.90.${nextIp++}`;

async function through(
  e: EdgeGuardEnv,
  path: string,
  ip: string,
  headers: Record<string, string> = CHROME_NAVIGATION_HEADERS,
): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await app.fetch(new Request(`http://site.test${path}`, { headers: { ...headers, "cf-connecting-ip": ip } }), e, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** A KV namespace that is down: every call throws. */
const downKv = new Proxy({}, { get: () => async () => Promise.reject(new Error("KV unreachable")) }) as KVNamespace;

async function listed(ip: string, action: BlocklistEntry["action"]): Promise<void> {
  const entry: BlocklistEntry = { action, reason: "fail-open test", source: "operator", at: Date.now() };
  await env.BLOCKLIST.put(kvKeys.ip(ip), JSON.stringify(entry));
}

describe("edge-guard fails open", () => {
  it("serves the origin's page when the tarpit binding throws, and counts the fault", async () => {
    const ip = freshIp();
    await listed(ip, "tarpit"); // a labelled client: its verdict is the tarpit
    const brokenTarpit = { fetch: async () => Promise.reject(new Error("tarpit unreachable")) } as unknown as EdgeGuardEnv["TARPIT"];
    const before = isolateState().faults.counts().tarpit;
    const response = await through({ ...env, TARPIT: brokenTarpit }, "/", ip);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-stub")).toBeNull();
    expect(await response.text()).toContain('type="application/atom+xml"');
    expect(isolateState().faults.counts().tarpit).toBe(before + 1);
    // The same client with the tarpit up: the tarpit (so the verdict above was a tarpit one).
    const tarpitted = await through(env, "/", ip);
    expect(tarpitted.headers.get("x-stub")).toBe("tarpit");
    await tarpitted.body?.cancel();
  });

  it("lets an unknown client through when KV is down, and counts the fault", async () => {
    const before = isolateState().faults.counts().blocklist;
    const response = await through({ ...env, BLOCKLIST: downKv }, "/", freshIp());
    expect(response.status).toBe(200);
    await response.body?.cancel();
    expect(isolateState().faults.counts().blocklist).toBeGreaterThan(before);
  });

  it("keeps a client blocked from the isolate's cache while KV is down", async () => {
    const ip = freshIp();
    await listed(ip, "block");
    const first = await through(env, "/", ip);
    expect(first.status).toBe(403); // read from KV, remembered by the isolate
    await first.body?.cancel();
    const whileDown = await through({ ...env, BLOCKLIST: downKv }, "/", ip);
    expect(whileDown.status).toBe(403);
    await whileDown.body?.cancel();
  });

  it("lets the request through when a signal throws, and counts the fault", async () => {
    const state = isolateState(); // the very object the app uses: one of its parts is broken for this test
    const real = state.data.declaredBots;
    state.data.declaredBots = new Proxy(real, {
      get: () => () => {
        throw new Error("signal bug");
      },
    });
    const before = isolateState().faults.counts().decide;
    try {
      const response = await through(env, "/", freshIp());
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('type="application/atom+xml"');
    } finally {
      state.data.declaredBots = real;
    }
    expect(isolateState().faults.counts().decide).toBeGreaterThan(before);
  });

  it("allows when the policy's evaluation throws, but keeps a known-blocked client blocked", async () => {
    const state = isolateState();
    const current = state.policy.current.bind(state.policy);
    const broken = {
      test: () => {
        throw new Error("rule bug");
      },
      name: "broken",
      action: "deny",
    };
    state.policy.current = async (...args: Parameters<typeof current>) =>
      ({ ...(await current(...args)), rules: [broken] }) as unknown as Awaited<ReturnType<typeof current>>;
    const blocked = freshIp();
    await listed(blocked, "block");
    const before = isolateState().faults.counts().decide;
    try {
      const allowed = await through(env, "/", freshIp());
      expect(allowed.status).toBe(200);
      await allowed.body?.cancel();
      const refused = await through(env, "/", blocked);
      expect(refused.status).toBe(403);
      await refused.body?.cancel();
    } finally {
      state.policy.current = current;
    }
    expect(isolateState().faults.counts().decide).toBe(before + 2);
  });

  it("serves the origin's page when the whole pipeline throws, and counts the fault", async () => {
    const state = isolateState();
    const hit = state.counters.hit.bind(state.counters);
    state.counters.hit = () => {
      throw new Error("counter bug");
    };
    const before = isolateState().faults.counts().decide;
    try {
      const response = await through(env, "/", freshIp());
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('type="application/atom+xml"');
    } finally {
      state.counters.hit = hit;
    }
    expect(isolateState().faults.counts().decide).toBe(before + 1);
  });

  it("still serves a managed robots.txt when the origin's cannot be fetched", async () => {
    const response = await through({ ...env, ORIGIN_URL: "http://127.0.0.1:9" }, "/robots.txt", freshIp(), {
      "user-agent": "Mozilla/5.0 (compatible; GPTBot/1.2)",
    });
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).toMatch(/User-agent: GPTBot[\s\S]*?Disallow: \/\n/);
    expect(body).toContain("Disallow: /archive/");
  });
});
