import { env as rawEnv } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { kvKeys } from "../../../core/kv-keys";
import { app, isolateState } from "../../../workers/edge-guard/app";
import type { EdgeGuardEnv } from "../../../workers/edge-guard/env";
import { diffOperations as diff, type OperationCounts } from "../../../core/dev-stats";
import { OperationCounter, zeroOperations } from "../../../workers/edge-guard/operations";
import { CHROME_NAVIGATION_HEADERS } from "../../support/browser-headers";

/**
 * The per-request operation budget of each path (README, "Operation budget"), counted on the real bindings: the env
 * handed to edge-guard is wrapped in counting proxies, and the test's own ExecutionContext shows what work went to
 * `waitUntil` (off the response path) and what the response waited for.
 */
const base = rawEnv as unknown as EdgeGuardEnv;
// Queue sends are held until the response is out: a response that waited for one would never arrive.
const holds: (() => void)[] = [];
let queueHeld = Promise.resolve();
const holdQueue = () => (queueHeld = new Promise<void>((resolve) => holds.push(resolve)));
const releaseQueue = () => holds.splice(0).forEach((release) => release());
const heldQueue: EdgeGuardEnv["REPORTS"] = {
  send: async (...args) => queueHeld.then(() => base.REPORTS.send(...args)),
  sendBatch: async (...args) => queueHeld.then(() => base.REPORTS.sendBatch(...args)),
} as EdgeGuardEnv["REPORTS"];
const counter = new OperationCounter();
// Summaries wait 15 s in this file, so a quiet client's allowed request sends nothing while a test looks.
const env: EdgeGuardEnv = { ...counter.wrap({ ...base, REPORTS: heldQueue }), SUMMARY_MAX_WAIT_MS: "15000" };
const CHROME_STYLE = {
  ...CHROME_NAVIGATION_HEADERS,
  accept: "text/css,*/*;q=0.1",
  "sec-fetch-mode": "no-cors",
  "sec-fetch-dest": "style",
  "sec-fetch-site": "same-origin",
};
const CURL = { "user-agent": "curl/8.5.0", accept: "*/*" };
const GPTBOT = {
  "user-agent": "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
  accept: "*/*",
};

/** A test ExecutionContext that keeps what was handed to waitUntil. */
function context(): { ctx: ExecutionContext; background: Promise<unknown>[] } {
  const background: Promise<unknown>[] = [];
  const ctx = { waitUntil: (p: Promise<unknown>) => void background.push(p), passThroughOnException: () => undefined, props: {} };
  return { ctx: ctx as unknown as ExecutionContext, background };
}

interface Measured {
  readonly status: number;
  /** Operations started before the response was returned (queue sends among them are held: not awaited). */
  readonly responsePath: OperationCounts;
  /** Operations made by the request in all, its waitUntil work included (awaited unless `skipBackground`). */
  readonly total: OperationCounts;
  /** How many promises went to waitUntil. */
  readonly background: number;
}

async function measure(
  path: string,
  ip: string,
  headers: Record<string, string>,
  cf: Record<string, unknown> = {},
  e: EdgeGuardEnv = env,
  awaitBackground = true,
  ops: OperationCounter = counter,
): Promise<Measured> {
  const request = new Request(`http://site.test${path}`, {
    headers: { ...headers, "cf-connecting-ip": ip, "x-dev-cf": JSON.stringify({ httpProtocol: "HTTP/2", tlsVersion: "TLSv1.3", ...cf }) },
  });
  const { ctx, background } = context();
  const before = ops.snapshot();
  holdQueue();
  const response = await app.fetch(request, e, ctx);
  const responsePath = diff(ops.snapshot(), before);
  await response.arrayBuffer();
  releaseQueue();
  if (awaitBackground) await Promise.all(background);
  return { status: response.status, responsePath, total: diff(ops.snapshot(), before), background: background.length };
}

const ZERO: OperationCounts = zeroOperations();

describe("operation budget per path, counted on the real bindings", () => {
  it("allow, known quiet client after warm-up: no KV read, no Durable Object call, no queue send, no background work", async () => {
    const ip = "198.18.60.10";
    // Warm-up: isolate caches (policy, ranges, data, fleet flags), this client's blocklist entry, the summary timer.
    await measure("/", "198.18.60.9", CHROME_NAVIGATION_HEADERS, {}, { ...env, SUMMARY_MAX_WAIT_MS: "0" });
    const first = await measure("/", ip, CHROME_NAVIGATION_HEADERS, {}, env, false); // arms the 15 s summary timer
    expect(first.responsePath).toEqual({ ...ZERO, kvReads: 1 }); // a new client: its `ip:` entry, once
    const pendingBefore = isolateState().reports.stats();
    for (const [path, headers] of [
      ["/articles/france", CHROME_NAVIGATION_HEADERS],
      ["/static/site.css", CHROME_STYLE],
      ["/articles/spain", CHROME_NAVIGATION_HEADERS],
      ["/static/logo.svg", CHROME_STYLE],
    ] as const) {
      const m = await measure(path, ip, headers);
      expect(m.status).toBe(200);
      expect(m.responsePath, path).toEqual(ZERO);
      expect(m.total, path).toEqual(ZERO);
      expect(m.background, path).toBe(0);
    }
    // Counted, not sent: the four requests wait in the isolate's summary.
    const pendingAfter = isolateState().reports.stats();
    expect(pendingAfter.allowed - pendingBefore.allowed).toBe(4);
    expect(pendingAfter.summaries).toBe(pendingBefore.summaries);
  });

  it("allow, new quiet client: one KV read (its blocklist entry), nothing else", async () => {
    const m = await measure("/", "198.18.61.10", CHROME_NAVIGATION_HEADERS);
    expect(m.responsePath).toEqual({ ...ZERO, kvReads: 1 });
    expect(m.total).toEqual({ ...ZERO, kvReads: 1 });
  });

  it("challenge (a browser from a hosting network): one KV read and one ledger sync on the response path, one message after", async () => {
    const m = await measure("/", "198.18.62.10", CHROME_NAVIGATION_HEADERS, { asn: 16509, asOrganization: "Amazon.com, Inc." });
    expect(m.status).toBe(503);
    // The message is started before the response but not awaited: the queue is held until the response is out.
    expect(m.responsePath).toEqual({ ...ZERO, kvReads: 1, doCalls: 1, queueMessages: 1, queueSends: 1 });
    expect(m.total).toEqual({ ...ZERO, kvReads: 1, doCalls: 1, queueMessages: 1, queueSends: 1 });
  });

  it("tarpit (a declared AI crawler): one KV read, one ledger sync, the tarpit, and one message", async () => {
    const m = await measure("/articles/france", "198.18.63.10", GPTBOT);
    expect(m.responsePath).toEqual({ ...ZERO, kvReads: 1, doCalls: 1, tarpitCalls: 1, queueMessages: 1, queueSends: 1 });
    expect(m.total).toEqual({ ...ZERO, kvReads: 1, doCalls: 1, tarpitCalls: 1, queueMessages: 1, queueSends: 1 });
  });

  it("block (a listed address): one KV read, one ledger sync, and one message", async () => {
    const ip = "198.18.64.10";
    await base.BLOCKLIST.put(kvKeys.ip(ip), JSON.stringify({ action: "block", reason: "test", source: "operator", at: Date.now() }));
    const m = await measure("/", ip, CURL);
    expect(m.status).toBe(403);
    expect(m.total).toEqual({ ...ZERO, kvReads: 1, doCalls: 1, queueMessages: 1, queueSends: 1 });
  });

  it("a listed address that looks like a quiet browser is refused from its first request, then from the cache", async () => {
    const ip = "198.18.64.20";
    await base.BLOCKLIST.put(kvKeys.ip(ip), JSON.stringify({ action: "block", reason: "test", source: "operator", at: Date.now() }));
    const first = await measure("/", ip, CHROME_NAVIGATION_HEADERS);
    expect(first.status).toBe(403); // its KV read overlapped the signals, and was awaited
    expect(first.total.kvReads).toBe(1);
    const next = await measure("/", ip, CHROME_NAVIGATION_HEADERS);
    expect(next.status).toBe(403);
    expect(next.total.kvReads).toBe(0); // answered from the isolate's cache
  });

  it("a flood from one key does not hold up a quiet client: its request finishes while the flood waits on its ledger", async () => {
    const quiet = "198.18.65.10";
    const flood = "198.18.66.10";
    await measure("/", quiet, CHROME_NAVIGATION_HEADERS); // warm: its blocklist entry is cached
    // The flood's ledger answers only when released: every flood request waits on it (a client under suspicion is
    // synced before its decision), so a quiet request that touched the flood's key could not finish either.
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const ledgers = base.CLIENT_LEDGER;
    const gatedLedgers = new Proxy(ledgers, {
      get(target, property) {
        if (property !== "getByName") return Reflect.get(target, property) as unknown;
        return (name: string) => {
          const stub = target.getByName(name);
          if (name !== `ip:${flood}`) return stub;
          return { add: async (at: number, deltas: Parameters<typeof stub.add>[1]) => gate.then(() => stub.add(at, deltas)) };
        };
      },
    });
    // Each side counted on its own: the flood's operations must not be mistaken for the quiet client's.
    const floodOps = new OperationCounter();
    const quietOps = new OperationCounter();
    const gatedBase: EdgeGuardEnv = { ...base, REPORTS: heldQueue, CLIENT_LEDGER: gatedLedgers };
    const floodEnv: EdgeGuardEnv = { ...floodOps.wrap(gatedBase), SUMMARY_MAX_WAIT_MS: "15000" };
    const quietEnv: EdgeGuardEnv = { ...quietOps.wrap(gatedBase), SUMMARY_MAX_WAIT_MS: "15000" };
    const order: string[] = [];
    const floods = Array.from({ length: 20 }, (_, i) =>
      measure(`/articles/page-${i}`, flood, CURL, {}, floodEnv, true, floodOps).then((m) => (order.push("flood"), m)),
    );
    const quietRequest = await measure("/articles/chile", quiet, CHROME_NAVIGATION_HEADERS, {}, quietEnv, true, quietOps).then(
      (m) => (order.push("quiet"), m),
    );
    expect(order).toEqual(["quiet"]); // every flood request is still waiting
    expect(quietRequest.status).toBe(200);
    expect(quietRequest.total).toEqual(ZERO);
    release();
    await Promise.all(floods);
    expect(order).toHaveLength(21);
    expect(floodOps.counts.doCalls).toBeGreaterThanOrEqual(20); // each flood request synced its own ledger
  });
});
