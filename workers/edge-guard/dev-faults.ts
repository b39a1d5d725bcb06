import type { EdgeGuardEnv } from "./env";

/**
 * Dev-only fault injection at the binding boundary, for the fault suite (test/e2e/faults.test.ts). Only when the
 * DEV_FAULTS var is "on", which only the dev stack sets (never wrangler.toml): then `POST DEV_FAULTS_PATH` with
 * `{"kv": true}` (or "durable-objects", "queue") makes that binding fail like an unreachable store until switched
 * back. The product's own code runs unchanged behind the wrapped bindings.
 */
export const DEV_FAULTS_PATH = "/.well-known/edge-guard/dev/faults";

const PARTS = ["kv", "durable-objects", "queue"] as const;
export type DevFaultPart = (typeof PARTS)[number];

// Per isolate; the dev stack runs one edge isolate, so the switch is global there.
const failing = new Set<DevFaultPart>();

const failure = (part: DevFaultPart) => new Error(`dev fault injected: ${part} unreachable`);

/** A binding whose every method call rejects while `part` is failing. */
function failable<T extends object>(binding: T, part: DevFaultPart, wrapResult?: (value: unknown) => unknown): T {
  return new Proxy(binding, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (!failing.has(part)) return (value as (...a: unknown[]) => unknown).apply(target, args);
        if (wrapResult !== undefined) return wrapResult(undefined);
        return Promise.reject(failure(part));
      };
    },
  });
}

/** A Durable Object stub whose every RPC call rejects (an object that cannot be reached). `then` is absent: not a thenable. */
function unreachableStub(): unknown {
  return new Proxy({}, { get: (_target, prop) => (prop === "then" ? undefined : () => Promise.reject(failure("durable-objects"))) });
}

/** The env with KV, Durable Object and Queue bindings wrapped, when DEV_FAULTS is "on"; otherwise `env` itself. */
export function withDevFaults(env: EdgeGuardEnv): EdgeGuardEnv {
  if (env.DEV_FAULTS !== "on") return env;
  return {
    ...env,
    BLOCKLIST: failable(env.BLOCKLIST, "kv"),
    CLIENT_LEDGER: failable(env.CLIENT_LEDGER, "durable-objects", unreachableStub),
    PASS_LEDGER: failable(env.PASS_LEDGER, "durable-objects", unreachableStub),
    FLEET_LEDGER: failable(env.FLEET_LEDGER, "durable-objects", unreachableStub),
    REPORTS: failable(env.REPORTS, "queue"),
  };
}

/** Answers the switch (`POST DEV_FAULTS_PATH`, JSON `{part: boolean}`); null when this request is not for it. */
export async function devFaultSwitch(request: Request, env: EdgeGuardEnv): Promise<Response | null> {
  if (env.DEV_FAULTS !== "on" || new URL(request.url).pathname !== DEV_FAULTS_PATH) return null;
  if (request.method === "POST") {
    const body: unknown = await request.json().catch(() => null);
    if (typeof body !== "object" || body === null) return Response.json({ error: "invalid_request" }, { status: 400 });
    for (const [part, on] of Object.entries(body)) {
      if (!PARTS.includes(part as DevFaultPart) || typeof on !== "boolean")
        return Response.json({ error: "invalid_request", part }, { status: 400 });
      if (on) failing.add(part as DevFaultPart);
      else failing.delete(part as DevFaultPart);
    }
  }
  return Response.json({ failing: [...failing] });
}
