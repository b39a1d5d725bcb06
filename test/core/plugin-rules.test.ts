import { describe, expect, it } from "vitest";
import { storedSignals } from "../../core/admin/policy-dry-run";
import { compilePolicy } from "../../core/policy/compile";
import { evaluatePolicy } from "../../core/policy/evaluate";
import { evaluateRules, MAX_HITS_PER_RULE } from "../../core/rules/evaluate";
import { defineRule } from "../../core/rules/plugin";
import { checkedRules, PLUGIN_RULES } from "../../core/rules/registry";
import { factsFor } from "../../rules/testing";

const flagAll = defineRule({ name: "flag-all", weight: 7, description: "flags everything", evaluate: () => [{ detail: "x".repeat(300) }] });
const throwing = defineRule({
  name: "throws",
  weight: 50,
  description: "always throws",
  evaluate: () => {
    throw new Error("plugin bug");
  },
});

describe("plugin rules", () => {
  it("bundles every rules/*.ts through the generated index", () => {
    expect(PLUGIN_RULES.map((r) => r.code)).toContain("rule:wp-login-probe");
  });

  it("turns each hit into a reason rule:<name> with the rule's weight, detail cut to 100 characters, at most 5 per rule", () => {
    const { reasons, failed } = evaluateRules([flagAll], factsFor("/"));
    expect(failed).toEqual([]);
    expect(reasons).toEqual([{ code: "rule:flag-all", weight: 7, detail: "x".repeat(100) }]);
    const many = defineRule({ name: "many", weight: 1, description: "many hits", evaluate: () => Array.from({ length: 50 }, () => ({})) });
    expect(evaluateRules([many], factsFor("/")).reasons).toHaveLength(MAX_HITS_PER_RULE);
  });

  it("fails open per rule: a throwing rule or one returning nonsense adds nothing and is named, the others still count", () => {
    const nonsense = defineRule({ name: "nonsense", weight: 9, description: "returns a string", evaluate: () => "yes" as never });
    const { reasons, failed } = evaluateRules([throwing, flagAll, nonsense], factsFor("/"));
    expect(reasons.map((r) => r.code)).toEqual(["rule:flag-all"]);
    expect(failed.map((f) => f.name)).toEqual(["throws", "nonsense"]);
    expect(failed[0]?.error).toBeInstanceOf(Error);
  });

  it("refuses a bad definition when the bundle loads: name, weight, description, duplicate names", () => {
    const ok = { name: "ok", weight: 1, description: "fine", evaluate: () => null };
    expect(() => defineRule({ ...ok, name: "Bad Name" })).toThrow(/lower-case/);
    expect(() => defineRule({ ...ok, weight: 1.5 })).toThrow(/whole number/);
    expect(() => defineRule({ ...ok, weight: 5000 })).toThrow(/whole number/);
    expect(() => defineRule({ ...ok, description: "two\nlines" })).toThrow(/one line/);
    expect(() => checkedRules([defineRule(ok), defineRule(ok)])).toThrow(/two plugin rules are named ok/);
  });

  it("lets a policy reweigh a plugin rule's code like any signal", () => {
    const compiled = compilePolicy({ version: 1, signalWeights: { "rule:wp-login-probe": 90 } });
    if (!compiled.ok) throw new Error(compiled.error);
    const facts = factsFor("/wp-login.php");
    const { reasons } = evaluateRules(PLUGIN_RULES, facts);
    const verdict = evaluatePolicy(compiled.value, facts, reasons);
    expect(verdict.reasons).toContainEqual(expect.objectContaining({ code: "rule:wp-login-probe", weight: 90 }));
    expect(compilePolicy({ version: 1, signalWeights: { "rule:not-bundled": 5 } }).ok).toBe(false);
  });

  it("refuses a policy rule named like a plugin rule (both would be rule:<name>), and keeps plugin reasons in the dry run", () => {
    const clash = compilePolicy({ version: 1, rules: [{ name: "wp-login-probe", match: { path: "^/x" }, action: "deny" }] });
    expect(clash.ok ? "" : clash.error).toContain("plugin rule's name");
    const stored = storedSignals([
      { code: "rule:wp-login-probe", weight: 40 },
      { code: "rule:some-policy-rule", weight: 10 },
      { code: "ua-ai-crawler", weight: 60 },
    ]);
    expect(stored.map((r) => r.code)).toEqual(["rule:wp-login-probe", "ua-ai-crawler"]);
  });
});
