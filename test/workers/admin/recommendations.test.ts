import { beforeAll, describe, expect, it } from "vitest";
import { withDb } from "../../../adapters/db/client";
import { eq } from "drizzle-orm";
import { apiTokens, operatorLabels } from "../../../adapters/db/schema";
import { apiToken, baseEnv, bearer, call, clock, insertDecision, jsonInit } from "./support";

// Postgres is shared by every admin test file: this file's traffic lives in its own far-future day, and the
// API reads the last N days by the test clock, so other files' decisions stay out of its window.
const DAY = Date.UTC(2101, 0, 1);
const POLICY = { version: 1, preset: "moderate", thresholds: { challenge: 50, tarpit: 80, block: 120 } };

interface Outcome {
  misses: number;
  falseAlarms: number;
  lockouts: number;
}
interface Recommendations {
  sampleSize: number;
  humans: number;
  bots: number;
  minimumPerLabel: number;
  current: Outcome;
  suggestions: Array<{
    changes: Array<{ kind: string; name?: string; code?: string; from: number; to: number }>;
    changed: number;
    before: Outcome;
    after: Outcome;
    policy: Record<string, unknown>;
  }>;
}

/** A token made "today" by the test clock (a token older than its maximum age is refused). */
async function headers(role: "viewer" | "operator") {
  const token = await apiToken(role, `recommend-${role}`);
  await withDb(baseEnv, (d) =>
    d
      .update(apiTokens)
      .set({ createdAt: new Date(clock.now) })
      .where(eq(apiTokens.name, `recommend-${role}`)),
  );
  return { ...bearer(token), "content-type": "application/json" };
}
const get = async (query: string, role: "viewer" | "operator" = "operator") =>
  call(`/api/policy/recommendations${query}`, { headers: await headers(role) });

let seq = 0;
/** A decision at `at` with the given signals, optionally carrying an edge label. */
async function decision(ip: string, at: number, reasons: Array<{ code: string; weight: number }>, label?: { kind: string; value: string }) {
  seq++;
  return insertDecision(`rec-${seq}-${ip}`, ip, {
    at: new Date(at),
    edgeAction: "allow",
    edgeScore: reasons.reduce((s, r) => s + r.weight, 0),
    reasons,
    verdict: "unsure",
    blocked: false,
    labelKind: label?.kind ?? null,
    labelValue: label?.value ?? null,
  });
}

describe("policy recommendations", () => {
  beforeAll(async () => {
    clock.now = DAY + 12 * 3_600_000;
    const put = await call("/api/policy", { ...jsonInit("PUT", { policy: POLICY }), headers: await headers("operator") });
    expect(put.status).toBe(200);
  });

  it("suggests nothing from a handful of labels, and says how many it needs", async () => {
    await decision("203.0.113.1", DAY + 60_000, [{ code: "rate-ip", weight: 40 }]);
    await decision("203.0.113.1", DAY + 120_000, [{ code: "honeypot-hit", weight: 100 }], { kind: "honeypot", value: "bot" });
    await decision("203.0.113.2", DAY + 60_000, [], { kind: "challenge-solved", value: "human" });
    const response = await get("?days=1");
    expect(response.status).toBe(200);
    const body = (await response.json()) as Recommendations;
    expect(body).toMatchObject({ sampleSize: 3, bots: 2, humans: 1, minimumPerLabel: 20, suggestions: [] });
  });

  it("learns from labelled bots the policy let through: lowers the challenge threshold, as a draft only", async () => {
    for (let i = 0; i < 30; i++) {
      const bot = `203.0.113.${10 + i}`;
      const t = DAY + 3_600_000 + i * 60_000;
      // Five minutes before it took the honeypot's bait, the bot was let through with rate-ip (40 < 50).
      await decision(bot, t - 5 * 60_000, [{ code: "rate-ip", weight: 40 }]);
      await decision(bot, t, [{ code: "honeypot-hit", weight: 100 }], { kind: "honeypot", value: "bot" });
      await decision(`198.51.100.${10 + i}`, t, [], { kind: "challenge-solved", value: "human" });
    }
    // An operator's word beats the edge's: this IP's edge label said bot, the operator says human.
    const person = "198.51.100.99";
    await decision(person, DAY + 7_200_000, [{ code: "rate-asn", weight: 10 }], { kind: "robots-violation", value: "bot" });
    await withDb(baseEnv, (d) =>
      d.insert(operatorLabels).values({ ip: person, reportId: null, value: "human", createdBy: "test", at: new Date(DAY + 7_260_000) }),
    );
    // A verified crawler is no sample: policy lets it through by rule.
    await decision("192.0.2.7", DAY + 60_000, [{ code: "verified-crawler", weight: -100 }], {
      kind: "verified-crawler",
      value: "good-bot",
    });
    // Unlabelled traffic is no sample either.
    await decision("192.0.2.8", DAY + 60_000, [{ code: "rate-ip", weight: 40 }]);

    const response = await get("?days=1");
    expect(response.status).toBe(200);
    const body = (await response.json()) as Recommendations;
    expect(body.bots).toBe(62);
    expect(body.humans).toBe(32);
    expect(body.sampleSize).toBe(94);
    expect(body.current).toEqual({ misses: 31, falseAlarms: 0, lockouts: 0 });
    const top = body.suggestions[0];
    expect(top?.changes).toContainEqual(expect.objectContaining({ kind: "threshold", name: "challenge", from: 50 }));
    const to = top?.changes.find((c) => c.name === "challenge")?.to ?? Infinity;
    expect(to).toBeLessThanOrEqual(40);
    expect(to).toBeGreaterThan(10); // the person with rate-asn (10) stays unchallenged
    expect(top).toMatchObject({ changed: 31, before: body.current, after: { misses: 0, falseAlarms: 0, lockouts: 0 } });

    // The draft goes through the existing dry run and nothing is published.
    const dryRun = await call("/api/policy/dry-run", {
      ...jsonInit("POST", { policy: top?.policy, since: new Date(DAY).toISOString() }),
      headers: await headers("viewer"),
    });
    expect(dryRun.status).toBe(200);
    expect(((await dryRun.json()) as { changed: number }).changed).toBeGreaterThanOrEqual(31);
    const active = (await (await call("/api/policy", { headers: await headers("viewer") })).json()) as { policy: unknown };
    expect(active.policy).toEqual(POLICY);
  });

  it("answers a bad day count with 400 invalid_request naming the field, and viewers with 403", async () => {
    for (const query of ["?days=0", "?days=91", "?days=two", "?days=1.5"]) {
      const response = await get(query);
      expect(response.status, query).toBe(400);
      const body = (await response.json()) as { error: string; message: string };
      expect(body.error).toBe("invalid_request");
      expect(body.message).toContain("days");
    }
    expect((await get("?days=1", "viewer")).status).toBe(403);
  });
});
