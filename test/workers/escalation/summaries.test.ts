import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withDb } from "../../../adapters/db/client";
import { allowedTraffic, decisions, trafficSummaries } from "../../../adapters/db/schema";
import type { TrafficSummary } from "../../../core/report";
import type { DeadLetter } from "../../../workers/escalation/env";
import { deliver, env } from "./deliver";
import { aReport, AT, CHROME_UA, HUMAN_REPORT } from "./reports";

/** A summary of one person's allowed browsing before AT: the home page, two assets, two articles. */
function aSummary(id: string, ip: string, over: Partial<TrafficSummary> = {}): TrafficSummary {
  const recent = [
    [-95_000, "/"],
    [-94_900, "/static/site.css"],
    [-94_800, "/static/logo.svg"],
    [-60_000, "/articles/france"],
    [-20_000, "/articles/spain"],
  ] as const;
  return {
    v: 2,
    kind: "summary",
    id,
    source: "edge",
    from: AT - 95_000,
    to: AT - 20_000,
    clients: [
      {
        ip,
        userAgent: CHROME_UA,
        first: AT - 95_000,
        last: AT - 20_000,
        requests: 5,
        pages: 3,
        assets: 2,
        recent: recent.map(([dt, path]) => ({ at: AT + dt, path })),
      },
    ],
    evictions: 0,
    ...over,
  };
}

const recordingDlq = (dead: DeadLetter[]) =>
  ({ send: async (m: DeadLetter) => void dead.push(m), sendBatch: async () => {} }) as unknown as Queue<DeadLetter>;
const allowedCount = (ip: string) =>
  withDb(
    env,
    async (db) =>
      (
        await db
          .select({ n: sql<number>`coalesce(sum(${allowedTraffic.requests}), 0)::int` })
          .from(allowedTraffic)
          .where(eq(allowedTraffic.ip, ip))
      )[0]?.n ?? 0,
  );

describe("summaries of allowed traffic", () => {
  it("give escalation the client's history: a decision scored after a summary sees the same past as after five allow reports", async () => {
    const ip = "198.51.100.120";
    // Summary and decision in one batch, the way the edge sends a suspect's pending traffic before its decision.
    await deliver([aSummary("isolate-a:1", ip), aReport({ ...HUMAN_REPORT, id: "summary-history-human", ip })]);
    const [row] = await withDb(env, (db) => db.select().from(decisions).where(eq(decisions.reportId, "summary-history-human")));
    // The same features as escalate.test.ts's "reads a person's earlier requests" with five v1 allow reports.
    expect(row?.features).toMatchObject({ log1p_history: Math.log1p(5), asset_share: 2 / 6, trap_share: 1 / 6 });
    expect(row?.verdict).toBe("human");
    expect(await allowedCount(ip)).toBe(5);
  });

  it("counts a redelivered summary once (its id is recorded with ON CONFLICT DO NOTHING)", async () => {
    const ip = "198.51.100.121";
    const summary = aSummary("isolate-b:7", ip);
    const first = await deliver([summary]);
    const again = await deliver([summary], env, 2);
    expect(first.explicitAcks).toEqual(["msg-1-0"]);
    expect(again.explicitAcks).toEqual(["msg-2-0"]);
    expect(await allowedCount(ip)).toBe(5);
    const stored = await withDb(env, (db) => db.select().from(trafficSummaries).where(eq(trafficSummaries.id, "isolate-b:7")));
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ clients: 1, requests: 5 });
  });

  it("sends a malformed summary, or a message of a version it does not read, to the DLQ with the reason", async () => {
    const dead: DeadLetter[] = [];
    const good = aSummary("isolate-c:1", "198.51.100.122");
    const client = good.clients[0];
    if (client === undefined) throw new Error("fixture has a client");
    const inconsistent = { ...good, id: "isolate-c:2", clients: [{ ...client, requests: 2 }] }; // 5 recent, 2 requests
    const noClients = { ...good, id: "isolate-c:3", clients: [] };
    const future = { ...good, v: 4 };
    const noVersion = { ...good, v: undefined };
    const result = await deliver([inconsistent, noClients, future, noVersion], { ...env, DLQ: recordingDlq(dead) });
    expect(result.explicitAcks.sort()).toEqual(["msg-1-0", "msg-1-1", "msg-1-2", "msg-1-3"]);
    expect(dead.map((d) => d.messageId)).toEqual(["msg-1-0", "msg-1-1", "msg-1-2", "msg-1-3"]);
    expect(dead[0]?.reason).toMatch(/inconsistent counts/);
    expect(dead[1]?.reason).toMatch(/clients/);
    expect(dead[2]?.reason).toMatch(/unsupported message version: 4/);
    expect(dead[3]?.reason).toMatch(/unsupported message version: null/);
    expect(await allowedCount("198.51.100.122")).toBe(0);
  });
});
