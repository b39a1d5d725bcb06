import type { OperationCounts } from "../../core/dev-stats";
import type { EdgeGuardEnv } from "./env";

/** Where the dev stack and the bench read an isolate's operation counts (only with DEV_CLIENT_OVERRIDES "on"). */
// Not exported from index.ts: everything the main module exports must be a handler or a Durable Object class.
export const OPERATIONS_PATH = "/__edge-guard/operations";

export const zeroOperations = (): OperationCounts => ({
  kvReads: 0,
  kvWrites: 0,
  kvLists: 0,
  kvDeletes: 0,
  doCalls: 0,
  queueMessages: 0,
  queueSends: 0,
  tarpitCalls: 0,
});

const KV_OPS: Record<string, keyof OperationCounts> = {
  get: "kvReads",
  getWithMetadata: "kvReads",
  put: "kvWrites",
  list: "kvLists",
  delete: "kvDeletes",
};

/** A proxy of `target` that counts a call of each listed method, then calls the real binding. */
function counting<T extends object>(target: T, count: (method: string, args: unknown[]) => void): T {
  return new Proxy(target, {
    get(t, property, receiver) {
      const value: unknown = Reflect.get(t, property, receiver);
      if (typeof value !== "function" || typeof property !== "string") return value;
      return (...args: unknown[]) => {
        count(property, args);
        return (value as (...a: unknown[]) => unknown).apply(t, args);
      };
    },
  });
}

/**
 * Counts operations on edge-guard's real bindings by wrapping them in proxies: for the operation-budget test and
 * the bench (`npm run bench` reads them from the dev-only `/__edge-guard/operations`). Never used in a deploy.
 */
export class OperationCounter {
  readonly counts: OperationCounts = zeroOperations();
  readonly #wrapped = new WeakMap<object, EdgeGuardEnv>();

  /** The same env with every billable binding counted. */
  wrap(env: EdgeGuardEnv): EdgeGuardEnv {
    const known = this.#wrapped.get(env);
    if (known !== undefined) return known;
    const c = this.counts;
    const namespace = <N extends object>(ns: N): N => counting(ns, (m) => (m === "getByName" || m === "get" ? c.doCalls++ : undefined));
    const wrapped: EdgeGuardEnv = {
      ...env,
      BLOCKLIST: counting(env.BLOCKLIST, (m) => {
        const kind = KV_OPS[m];
        if (kind !== undefined) c[kind]++;
      }),
      CLIENT_LEDGER: namespace(env.CLIENT_LEDGER),
      PASS_LEDGER: namespace(env.PASS_LEDGER),
      FLEET_LEDGER: namespace(env.FLEET_LEDGER),
      CRAWLER_ACCOUNT: namespace(env.CRAWLER_ACCOUNT),
      REPORTS: counting(env.REPORTS, (m, args) => {
        if (m === "send") c.queueMessages++;
        else if (m === "sendBatch") c.queueMessages += Array.isArray(args[0]) ? args[0].length : 0;
        else return;
        c.queueSends++;
      }),
      TARPIT: counting(env.TARPIT, (m) => (m === "fetch" ? c.tarpitCalls++ : undefined)),
    };
    this.#wrapped.set(env, wrapped);
    return wrapped;
  }

  /** A copy of the counts now. */
  snapshot(): OperationCounts {
    return { ...this.counts };
  }
}
