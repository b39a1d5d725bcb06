import { describe, expect, it } from "vitest";
import { factsOf } from "../support/request-facts";
import { compilePolicy, type CompiledPolicy } from "../../core/policy/compile";
import { PRESETS } from "../../core/policy/presets";
import { REGEX_INPUT_MAX_CHARS, regexHazard } from "../../core/policy/regex-safety";

const policyWith = (match: Record<string, unknown>) => ({ version: 1, rules: [{ name: "r", match, action: "deny" }] });
const facts = factsOf;
const compiled = (input: unknown): CompiledPolicy => {
  const result = compilePolicy(input);
  if (!result.ok) throw new Error(result.error);
  return result.value;
};

describe("regexHazard", () => {
  it.each([
    ["(a+)+$", "nested quantifier"],
    ["^(\\w+\\s?)*$", "nested quantifier"],
    ["(x+x+)+y", "nested quantifier"],
    ["(?:a*)*b", "nested quantifier"],
    ["^(a|a)*$", "same character"],
    ["(a|ab)+c", "same character"],
    ["(\\w|-)+@", "same character"],
    ["(.|\\s)*x", "same character"],
    ["(a|)+b", "empty"],
    ["(a?)+b", "empty"],
    ["(a)\\1", "backreferences"],
    ["(?<x>a)\\k<x>", "backreferences"],
    [".*a.*b.*c.*d", "broad classes"],
  ])("refuses %s (%s)", (source, reason) => {
    expect(regexHazard(source)).toContain(reason);
  });

  it.each([
    "^Mozilla/5\\.0",
    "(?:GPTBot|ClaudeBot|CCBot)",
    "^/[^/]+/[^/]+/blame/",
    "\\.(?:xml|rss|atom)$",
    "(?:ab|cd)+",
    "^(?:[a-z]{2}-[A-Z]{2})(?:,|$)",
    "a{2,5}",
    "(ab){1,3}",
    "python-requests/\\d+",
    "^$",
    ".*feed.*",
    "\\u0041+",
    "\\p{L}+",
    "[(]+",
  ])("accepts %s", (source) => {
    expect(regexHazard(source)).toBeNull();
  });

  it("accepts every preset's patterns", () => {
    for (const preset of Object.values(PRESETS)) {
      for (const rule of preset.rules)
        for (const source of [rule.match.userAgent, rule.match.path].filter((s) => s !== undefined)) expect(regexHazard(source)).toBeNull();
    }
  });
});

describe("policy regular expressions", () => {
  it.each([
    [{ userAgent: "(a+)+$" }, "rules[0].match.userAgent", "nested quantifier"],
    [{ path: "^/(\\w|-)*/x" }, "rules[0].match.path", "same character"],
    [{ headers: { accept: "(a|a)*" } }, "rules[0].match.headers.accept", "same character"],
    [{ headers: { accept: "(unclosed" } }, "rules[0].match.headers.accept", "not a valid regular expression"],
  ])("refuses %j at validation, naming the field and the reason", (match, path, reason) => {
    const result = compilePolicy(policyWith(match));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toContain(path);
      expect(result.error).toContain(reason);
    }
  });

  it("refuses a header rule on a header the edge does not read, listing the ones it does", () => {
    const result = compilePolicy(policyWith({ headers: { "x-forwarded-for": "^10\\." } }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/x-forwarded-for.*sec-fetch-site/s);
  });

  it(`runs on at most ${REGEX_INPUT_MAX_CHARS} characters of a path`, () => {
    const policy = compiled(policyWith({ path: "secret$" }));
    const long = `/${"a".repeat(REGEX_INPUT_MAX_CHARS * 4)}/secret`;
    expect(policy.rules[0]?.test(facts({ path: "/x/secret" }), new Set())).toBe(true);
    expect(policy.rules[0]?.test(facts({ path: long }), new Set())).toBe(false);
  });
});
