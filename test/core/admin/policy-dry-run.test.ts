import { describe, expect, it } from "vitest";
import { dryRunPolicy, storedSignals, type StoredDecision } from "../../../core/admin/policy-dry-run";
import { policyIssues } from "../../../core/admin/policy-issues";
import { compilePolicy, type CompiledPolicy } from "../../../core/policy/compile";

function compiled(doc: unknown): CompiledPolicy {
  const r = compilePolicy(doc);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

const decision = (id: number, over: Partial<StoredDecision> = {}): StoredDecision => ({
  id,
  at: 1_700_000_000_000 + id,
  ip: `45.33.1.${id}`,
  method: "GET",
  path: "/articles/x",
  userAgent: "Mozilla/5.0",
  headers: {},
  cf: {},
  reasons: [],
  recordedAction: "allow",
  ...over,
});

describe("dryRunPolicy", () => {
  const current = compiled({ version: 1, preset: "moderate", rules: [] });

  it("counts actions before and after, and samples the decisions that change", () => {
    const rows = [
      decision(1, {
        reasons: [
          { code: "hdr-headless", weight: 50 },
          { code: "rule:old-rule", weight: 20 },
        ],
      }),
      decision(2, { reasons: [{ code: "ua-ai-crawler", weight: 60 }], userAgent: "GPTBot/1.2" }),
      decision(3),
    ];
    const candidate = compiled({ version: 1, preset: "moderate", thresholds: { challenge: 10, tarpit: 40, block: 200 }, rules: [] });
    const result = dryRunPolicy(current, candidate, rows);
    expect(result.evaluated).toBe(3);
    expect(result.before).toEqual({ allow: 1, challenge: 1, tarpit: 1, block: 0 });
    expect(result.after).toEqual({ allow: 1, challenge: 0, tarpit: 2, block: 0 });
    expect(result.changed).toBe(1);
    expect(result.transitions).toEqual({ "challenge->tarpit": 1 });
    expect(result.samples).toEqual([
      expect.objectContaining({ id: 1, before: "challenge", after: "tarpit", scoreBefore: 50, scoreAfter: 50 }),
    ]);
  });

  it("applies the candidate's own rules to the stored facts", () => {
    const candidate = compiled({ version: 1, rules: [{ name: "block-articles", match: { path: "^/articles/" }, action: "deny" }] });
    const result = dryRunPolicy(current, candidate, [decision(1), decision(2, { path: "/about" })]);
    expect(result.after.block).toBe(1);
    expect(result.samples[0]).toMatchObject({ id: 1, after: "block", decidedByAfter: "block-articles" });
  });

  it("drops the rule reasons of the policy of the day, keeping the signals", () => {
    expect(
      storedSignals([
        { code: "rule:x", weight: 5 },
        { code: "rate-ip-burst", weight: 30 },
      ]),
    ).toEqual([{ code: "rate-ip-burst", weight: 30 }]);
  });

  it("drops codes this version no longer computes (an older edge's report)", () => {
    expect(
      storedSignals([
        { code: "burst", weight: 30 },
        { code: "tor", weight: 20, detail: "T1" },
      ]),
    ).toEqual([{ code: "tor", weight: 20, detail: "T1" }]);
  });
});

describe("policyIssues", () => {
  it("turns compilePolicy's text into field paths and messages", () => {
    const r = compilePolicy({ version: 1, rules: [{ name: "X", match: { userAgent: "(" }, action: "deny" }] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(policyIssues(r.error)).toEqual(
      expect.arrayContaining([
        { path: "rules[0].name", message: expect.stringContaining("lower-case") },
        { path: "rules[0].match.userAgent", message: "not a valid regular expression" },
      ]),
    );
  });

  it("keeps text of another form as one issue", () => {
    expect(policyIssues("something broke")).toEqual([{ path: "", message: "something broke" }]);
  });
});
