import { createExecutionContext, createMessageBatch, getQueueResult, type QueueResult } from "cloudflare:test";
import { env as rawEnv } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { withDb } from "../../../adapters/db/client";
import { decisions } from "../../../adapters/db/schema";
import { blocklistKey } from "../../../core/blocklist-key";
import type { BlocklistEntry } from "../../../core/escalation-verdict";
import type { DecisionReport } from "../../../core/report";
import type { DeadLetter, EscalationEnv } from "../../../workers/escalation/env";
import worker from "../../../workers/escalation/index";
import { useModelBytesForTests } from "../../../workers/escalation/model";
import { aReport, BOT_REPORT, GPTBOT_UA, HUMAN_REPORT } from "./reports";

const env = rawEnv as unknown as EscalationEnv;
afterEach(() => useModelBytesForTests(null));

/** Delivers bodies to escalation's queue handler, as the Queue would (attempt `attempts`), and returns the outcome. */
async function deliver(bodies: readonly unknown[], testEnv: EscalationEnv = env, attempts = 1): Promise<QueueResult> {
  const batch = createMessageBatch(
    "edge-guard-reports",
    bodies.map((body, i) => ({ id: `msg-${attempts}-${i}`, timestamp: Date.now(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, testEnv);
  return getQueueResult(batch, ctx);
}

const rowsFor = (reportId: string) => withDb(env, (db) => db.select().from(decisions).where(eq(decisions.reportId, reportId)));
const blockEntry = async (ip: string) => env.BLOCKLIST.get<BlocklistEntry>(blocklistKey(ip), "json");

describe("escalation queue consumer", () => {
  it("scores a bot's report, records the decision and blocklists its IP", async () => {
    const report = aReport({ ...BOT_REPORT, id: "round-trip-bot", ip: "203.0.113.10" });
    const result = await deliver([report]);
    expect(result.explicitAcks).toEqual(["msg-1-0"]);
    expect(result.retryMessages).toEqual([]);

    const [row, ...more] = await rowsFor("round-trip-bot");
    expect(more).toEqual([]);
    expect(row).toMatchObject({ ip: "203.0.113.10", verdict: "bot", blocked: true, modelVersion: expect.stringMatching(/^lr-/) });
    expect(row?.modelScore).toBeGreaterThanOrEqual(0.9);
    expect(row?.features).toMatchObject({ log1p_tarpit_hits: Math.log1p(300), ua_browser: 1 });

    const entry = await blockEntry("203.0.113.10");
    expect(entry).toMatchObject({ source: "escalation", score: row?.modelScore, reason: expect.stringContaining("model lr-") });
  });

  it("records a person's report without blocking them", async () => {
    await deliver([aReport({ ...HUMAN_REPORT, id: "round-trip-human", ip: "198.51.100.20" })]);
    const [row] = await rowsFor("round-trip-human");
    expect(row).toMatchObject({ verdict: "human", blocked: false });
    expect(await blockEntry("198.51.100.20")).toBeNull();
  });

  it("sends a malformed report to the DLQ with its reason, and acks it", async () => {
    const dead: DeadLetter[] = [];
    const recordingDlq = { send: async (m: DeadLetter) => void dead.push(m), sendBatch: async () => {} } as unknown as Queue<DeadLetter>;
    const malformed = { ...aReport({ id: "malformed-1" }), ip: 42, counts: undefined };
    const result = await deliver([malformed, "not even an object"], { ...env, DLQ: recordingDlq });
    expect(result.explicitAcks.sort()).toEqual(["msg-1-0", "msg-1-1"]);
    expect(dead).toHaveLength(2);
    expect(dead[0]).toMatchObject({ body: malformed, messageId: "msg-1-0", attempts: 1 });
    expect(dead[0]?.reason).toMatch(/ip[\s\S]*counts/);
    expect(await rowsFor("malformed-1")).toEqual([]);
    // And through the real producer binding:
    expect((await deliver([malformed])).explicitAcks).toEqual(["msg-1-0"]);
  });

  it("changes nothing when a batch is delivered again", async () => {
    const bodies = [
      aReport({ ...BOT_REPORT, id: "redelivered-bot", ip: "203.0.113.30" }),
      aReport({ ...HUMAN_REPORT, id: "redelivered-human", ip: "198.51.100.30" }),
    ];
    await deliver(bodies);
    const firstEntry = await env.BLOCKLIST.get(blocklistKey("203.0.113.30"));
    const before = await withDb(env, (db) => db.select().from(decisions));
    await new Promise((resolve) => setTimeout(resolve, 5)); // a second block would carry a later `at`

    const again = await deliver(bodies, env, 2);
    expect(again.explicitAcks.sort()).toEqual(["msg-2-0", "msg-2-1"]);
    expect(await withDb(env, (db) => db.select().from(decisions))).toHaveLength(before.length);
    expect(await rowsFor("redelivered-bot")).toHaveLength(1);
    expect(await env.BLOCKLIST.get(blocklistKey("203.0.113.30"))).toBe(firstEntry);
  });

  it("lets the rules decide when the model is broken", async () => {
    useModelBytesForTests(new TextEncoder().encode("not an onnx model"));
    const crawler = aReport({ id: "rules-crawler", ip: "203.0.113.40", userAgent: GPTBOT_UA, headers: { accept: "*/*" } });
    const person = aReport({ ...HUMAN_REPORT, id: "rules-person", ip: "198.51.100.40" });
    const result = await deliver([crawler, person]);
    expect(result.explicitAcks.sort()).toEqual(["msg-1-0", "msg-1-1"]);
    expect((await rowsFor("rules-crawler"))[0]).toMatchObject({ verdict: "bot", blocked: true, modelScore: null, modelVersion: null });
    expect((await rowsFor("rules-person"))[0]).toMatchObject({ verdict: "unsure", blocked: false, modelScore: null });
    expect(await blockEntry("203.0.113.40")).toMatchObject({ source: "escalation", reason: expect.stringContaining("rules") });
  });

  it("blocklists an IP once per batch, and not again while its block stands", async () => {
    const burst = [1, 2, 3].map((n) => aReport({ ...BOT_REPORT, id: `same-ip-${n}`, ip: "203.0.113.50" }));
    const alreadyBlocked: DecisionReport = aReport({
      ...BOT_REPORT, id: "blocked-already", ip: "203.0.113.51", action: "block", score: 1100,
      reasons: [{ code: "blocklist-ip", weight: 1000 }, ...(BOT_REPORT.reasons ?? [])],
    });
    await deliver([...burst, alreadyBlocked]);
    const rows = await withDb(env, (db) => db.select().from(decisions).where(eq(decisions.ip, "203.0.113.50")));
    expect(rows.map((r) => r.blocked).sort()).toEqual([false, false, true]);
    expect((await rowsFor("blocked-already"))[0]).toMatchObject({ verdict: "bot", blocked: false });
    expect(await blockEntry("203.0.113.51")).toBeNull();
  });

  it("retries every report when Postgres is unreachable", async () => {
    const report = aReport({ ...BOT_REPORT, id: "db-down-report", ip: "203.0.113.60" });
    const result = await deliver([report], { ...env, DATABASE_URL: undefined });
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["msg-1-0"]);
    expect(await blockEntry("203.0.113.60")).toBeNull();
  });
});
