import { eq, like } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { BlocklistStore } from "../../../adapters/blocklist-store";
import { withDb } from "../../../adapters/db/client";
import { decisions, prefixBlocks } from "../../../adapters/db/schema";
import type { BlocklistEntry } from "../../../core/blocklist-entry";
import { kvKeys, siteKeys } from "../../../core/kv-keys";
import { RANGE_INDEX_INSTANCE } from "../../../core/range-entries";
import type { DecisionReport } from "../../../core/report";
import type { DeadLetter } from "../../../workers/escalation/env";
import { escalationWorker } from "../../../workers/escalation/index";
import { createEscalationState } from "../../../workers/escalation/state";
import { deliver, env, standInRequests } from "./deliver";
import { aReport, AT, BOT_REPORT, browsingBefore, GPTBOT_UA, HUMAN_REPORT } from "./reports";

const rowsFor = (reportId: string) => withDb(env, (db) => db.select().from(decisions).where(eq(decisions.reportId, reportId)));
/** A stored entry: `ip:` in KV, a prefix in the RangeIndex (where escalation writes it). */
const blockEntry = async (key: string) =>
  JSON.parse((await new BlocklistStore(env, "escalation").get(key)) ?? "null") as BlocklistEntry | null;

describe("escalation queue consumer", () => {
  it("scores a bot's report, records the decision and blocklists its IP", async () => {
    const report = aReport({ ...BOT_REPORT, id: "round-trip-bot", ip: "203.0.113.10" });
    const result = await deliver([report]);
    expect(result.explicitAcks).toEqual(["msg-1-0"]);
    expect(result.retryMessages).toEqual([]);

    const [row, ...more] = await rowsFor("round-trip-bot");
    expect(more).toEqual([]);
    expect(row).toMatchObject({
      ip: "203.0.113.10",
      verdict: "bot",
      blocked: true,
      modelVersion: expect.stringMatching(/^(?:lr|gbt)-[0-9a-f]{10}$/), // whichever train:model chose
      prefix: "203.0.113.0/24",
      llm: null,
    });
    expect(row?.modelScore).toBeGreaterThanOrEqual(0.9);
    expect(row?.score).toBe(row?.modelScore);
    expect(row?.features).toMatchObject({ log1p_tarpit_hits: Math.log1p(300), ua_browser: 1, sig_rate: 1 });
    expect(row?.report).toEqual(report);

    const entry = await blockEntry(kvKeys.ip("203.0.113.10"));
    expect(entry).toMatchObject({
      action: "block",
      source: "escalation",
      score: row?.modelScore,
      reason: expect.stringContaining(`model ${row?.modelVersion ?? "?"} scored`),
    });
  });

  it("keeps a site's decision and block on that site: the row names it, the entry is the site's own key", async () => {
    const ip = "203.0.113.11";
    await deliver([aReport({ ...BOT_REPORT, id: "site-bot", ip, site: "forge" })]);
    const [row] = await rowsFor("site-bot");
    expect(row).toMatchObject({ site: "forge", verdict: "bot", blocked: true });
    expect(await blockEntry(siteKeys("forge").ip(ip))).toMatchObject({ action: "block", source: "escalation" });
    expect(await blockEntry(kvKeys.ip(ip))).toBeNull(); // the default site (and every other) is unaffected
    const [old] = await rowsFor("round-trip-bot"); // a report without a site is the default site's
    expect(old?.site).toBe("default");
  });

  it("reads a person's earlier requests from Postgres, and does not block them for one trap link", async () => {
    const ip = "198.51.100.20";
    await deliver(browsingBefore({ ip }, "history-person"));
    await deliver([aReport({ ...HUMAN_REPORT, id: "round-trip-human", ip })]);
    const [row] = await rowsFor("round-trip-human");
    expect(row).toMatchObject({ verdict: "human", blocked: false });
    expect(row?.features).toMatchObject({ log1p_history: Math.log1p(5), asset_share: 2 / 6, trap_share: 1 / 6 });
    expect(await blockEntry(kvKeys.ip(ip))).toBeNull();
  });

  it("sends a malformed report to the DLQ with its reason, and acks it", async () => {
    const dead: DeadLetter[] = [];
    const recordingDlq = { send: async (m: DeadLetter) => void dead.push(m), sendBatch: async () => {} } as unknown as Queue<DeadLetter>;
    const malformed = { ...aReport({ id: "malformed-1" }), ip: 42, counts: undefined };
    const badLabel = { ...aReport({ id: "malformed-2" }), label: { kind: "model-said-so", value: "bot" } };
    const result = await deliver([malformed, "not even an object", badLabel], { ...env, DLQ: recordingDlq });
    expect(result.explicitAcks.sort()).toEqual(["msg-1-0", "msg-1-1", "msg-1-2"]);
    expect(dead).toHaveLength(3);
    expect(dead[0]).toMatchObject({ body: malformed, messageId: "msg-1-0", attempts: 1 });
    expect(dead[0]?.reason).toMatch(/ip[\s\S]*counts/);
    expect(dead[2]?.reason).toMatch(/label\.kind/);
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
    const firstEntry = await env.BLOCKLIST.get(kvKeys.ip("203.0.113.30"));
    const before = await withDb(env, (db) => db.select().from(decisions));
    await new Promise((resolve) => setTimeout(resolve, 5)); // a second block would carry a later `at`

    const again = await deliver(bodies, env, 2);
    expect(again.explicitAcks.sort()).toEqual(["msg-2-0", "msg-2-1"]);
    expect(await withDb(env, (db) => db.select().from(decisions))).toHaveLength(before.length);
    expect(await rowsFor("redelivered-bot")).toHaveLength(1);
    expect(await env.BLOCKLIST.get(kvKeys.ip("203.0.113.30"))).toBe(firstEntry);
  });

  it("lets the rules decide when the model is broken", async () => {
    // An isolate whose model file is not ONNX (injected: the Worker's own state keeps the bundled model).
    const broken = escalationWorker(createEscalationState(() => new TextEncoder().encode("not an onnx model")));
    // As the edge reports it: its User-Agent is on the AI-crawler list (the trap alone would never block it).
    const reasons = [
      { code: "trap-path", weight: 50 },
      { code: "ua-ai-crawler", weight: 60, detail: "GPTBot" },
    ];
    const crawler = aReport({ id: "rules-crawler", ip: "203.0.113.40", userAgent: GPTBOT_UA, headers: { accept: "*/*" }, reasons });
    const person = aReport({ ...HUMAN_REPORT, id: "rules-person", ip: "198.51.100.40" });
    const result = await deliver([crawler, person], env, 1, broken);
    expect(result.explicitAcks.sort()).toEqual(["msg-1-0", "msg-1-1"]);
    expect((await rowsFor("rules-crawler"))[0]).toMatchObject({
      verdict: "bot",
      blocked: true,
      modelScore: null,
      modelVersion: null,
      score: 0.99,
    });
    expect((await rowsFor("rules-person"))[0]).toMatchObject({ verdict: "unsure", blocked: false, modelScore: null });
    expect(await blockEntry(kvKeys.ip("203.0.113.40"))).toMatchObject({ source: "escalation", reason: expect.stringContaining("rules") });
  });

  it("blocklists an IP once per batch, and not again while its block stands", async () => {
    const burst = [1, 2, 3].map((n) => aReport({ ...BOT_REPORT, id: `same-ip-${n}`, ip: "203.0.113.50", at: AT + n }));
    const alreadyBlocked: DecisionReport = aReport({
      ...BOT_REPORT,
      id: "blocked-already",
      ip: "203.0.113.51",
      action: "block",
      score: 1100,
      reasons: [{ code: "blocklist-ip", weight: 1000 }, ...(BOT_REPORT.reasons ?? [])],
    });
    await deliver([...burst, alreadyBlocked]);
    const rows = await withDb(env, (db) => db.select().from(decisions).where(eq(decisions.ip, "203.0.113.50")));
    expect(rows.map((r) => r.blocked).sort()).toEqual([false, false, true]);
    expect((await rowsFor("blocked-already"))[0]).toMatchObject({ verdict: "bot", blocked: false });
    expect(await blockEntry(kvKeys.ip("203.0.113.51"))).toBeNull();
  });

  it("writes a batch's blocks in one go: every address listed, one snapshot publish for the batch", async () => {
    const ips = [1, 2, 3, 4, 5, 6].map((n) => `203.0.113.${70 + n}`);
    const ranges = env.RANGE_INDEX.getByName(RANGE_INDEX_INSTANCE);
    const before = (await ranges.stats()).publishes;
    await deliver(ips.map((ip, n) => aReport({ ...BOT_REPORT, id: `batch-block-${n}`, ip, at: AT + n })));
    for (const ip of ips) expect(await blockEntry(kvKeys.ip(ip))).toMatchObject({ action: "block", source: "escalation" });
    // One per block would hold the consumer a second per block (KV takes one write a second to the snapshot's key).
    expect((await ranges.stats()).publishes - before).toBe(1);
  });

  it("stores labels for training, and never blocks a verified crawler", async () => {
    const labelled = aReport({
      ...BOT_REPORT,
      id: "labelled-honeypot",
      ip: "198.51.100.60",
      label: { kind: "honeypot", value: "bot" },
      signals: ["tarpit-visitor"],
    });
    const verified = aReport({
      ...BOT_REPORT,
      id: "verified-gptbot",
      ip: "198.51.100.61",
      userAgent: GPTBOT_UA,
      signals: ["verified-crawler"],
    });
    await deliver([labelled, verified]);
    expect((await rowsFor("labelled-honeypot"))[0]).toMatchObject({ labelKind: "honeypot", labelValue: "bot" });
    expect((await rowsFor("verified-gptbot"))[0]).toMatchObject({ verdict: "good-bot", blocked: false });
    expect(await blockEntry(kvKeys.ip("198.51.100.61"))).toBeNull();
  });

  it("blocklists a /24 when many of its IPs are bots, announces it, and never a documentation or private range", async () => {
    const hook = `${inject("llmStandInUrl")}/hook`;
    const bots = Array.from({ length: 5 }, (_, i) =>
      aReport({ ...BOT_REPORT, id: `prefix-bot-${i}`, ip: `45.12.34.${i + 10}`, at: AT + i }),
    );
    const result = await deliver(bots, { ...env, ALERT_WEBHOOK_URL: hook });
    expect(result.explicitAcks).toHaveLength(5);
    expect(await blockEntry(kvKeys.cidr("45.12.34.0/24"))).toMatchObject({
      action: "block",
      source: "escalation",
      reason: "5 bot IPs in 45.12.34.0/24 within 10 min",
    });
    const stored = await withDb(env, (db) => db.select().from(prefixBlocks).where(eq(prefixBlocks.cidr, "45.12.34.0/24")));
    expect(stored).toMatchObject([{ botIps: 5 }]);
    const alert = (await standInRequests()).find((r) => r.path === "/hook" && JSON.stringify(r.body).includes("45.12.34.0/24"));
    expect(alert?.body).toMatchObject({
      text: expect.stringContaining("5 IP(s) and 1 network(s)"),
      blocks: expect.arrayContaining([{ kind: "cidr", target: "45.12.34.0/24", reason: expect.any(String), ttlSeconds: 3600 }]),
    });
  });

  it("never blocklists a documentation or private range, however many of its IPs are bots", async () => {
    // Its own bots (no rows from other tests): five in TEST-NET-1 and five in 10.77.0.0/24, as many as took a /24 above.
    const ranges = [
      { prefix: "192.0.2", cidr: "192.0.2.0/24" },
      { prefix: "10.77.0", cidr: "10.77.0.0/24" },
    ];
    const bots = ranges.flatMap(({ prefix }) =>
      Array.from({ length: 5 }, (_, i) =>
        aReport({ ...BOT_REPORT, id: `reserved-bot-${prefix}-${i}`, ip: `${prefix}.${i + 10}`, at: AT + i }),
      ),
    );
    expect((await deliver(bots)).explicitAcks).toHaveLength(10);
    for (const { prefix, cidr } of ranges) {
      const stored = await withDb(env, (db) =>
        db
          .selectDistinct({ ip: decisions.ip })
          .from(decisions)
          .where(like(decisions.ip, `${prefix}.%`)),
      );
      expect(stored).toHaveLength(5); // escalation saw all five
      expect(await blockEntry(kvKeys.cidr(cidr))).toBeNull();
    }
  });

  it("retries every report when Postgres is unreachable", async () => {
    const report = aReport({ ...BOT_REPORT, id: "db-down-report", ip: "203.0.113.60" });
    const result = await deliver([report], { ...env, DATABASE_URL: undefined });
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["msg-1-0"]);
    expect(await blockEntry(kvKeys.ip("203.0.113.60"))).toBeNull();
  });
});
