import fc from "fast-check";
import { describe, expect, it } from "vitest";
import browserCanaries from "../../core/data/browser-canaries.json";
import { aiAgentsRegExp, checkAiAgents, parseAiRobotsJson } from "../../core/data-refresh";
import { parseBlocklistText } from "../../core/peers/blocklist-text";
import { PeerFeedSchema, PeerPushSchema } from "../../core/peers/feed";
import { compilePolicy } from "../../core/policy/compile";
import { regexHazard } from "../../core/policy/regex-safety";
import { DecisionReportSchema } from "../../core/report";
import { fuzzRuns } from "../support/fuzz-runs";

const runs = fuzzRuns(200);
const json = fc.jsonValue({ maxDepth: 4 });
/** Strings built from regex syntax, so the generator reaches quantifiers, groups, classes and escapes often. */
const regexish = fc
  .array(
    fc.constantFrom(
      "a",
      "b",
      ".",
      "*",
      "+",
      "?",
      "|",
      "(",
      ")",
      "(?:",
      "[",
      "]",
      "^",
      "$",
      "\\",
      "\\d",
      "\\w",
      "\\1",
      "{2,}",
      "{1,3}",
      "-",
      "/",
      "x",
    ),
    { maxLength: 24 },
  )
  .map((parts) => parts.join(""));
const compiles = (source: string) => {
  try {
    new RegExp(source, "i");
    return true;
  } catch {
    return false;
  }
};

/** A valid policy document with a few fields replaced by arbitrary values. */
const mutatedPolicy = fc.record({
  rules: fc.array(
    fc.record({
      name: fc.oneof(fc.constantFrom("r", "a-b", "ok-1"), fc.string()),
      match: fc.oneof(
        fc.record({ userAgent: fc.oneof(regexish, fc.string()) }),
        fc.record({ path: regexish }),
        fc.record({
          headers: fc.dictionary(
            fc.oneof(fc.constantFrom("accept", "sec-fetch-site", "x-odd"), fc.string()),
            fc.oneof(regexish, fc.string()),
          ),
        }),
        fc.record({ ip: fc.array(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()), { maxLength: 3 }) }),
        json,
      ),
      action: fc.oneof(fc.constantFrom("allow", "deny", "challenge", "tarpit", "weigh"), json),
      weight: fc.option(fc.oneof(fc.integer({ min: -2000, max: 2000 }), json), { nil: undefined }),
    }),
    { maxLength: 4 },
  ),
  thresholds: fc.option(fc.record({ challenge: fc.integer(), tarpit: fc.integer(), block: fc.integer() }), { nil: undefined }),
  preset: fc.option(fc.oneof(fc.constantFrom("permissive", "moderate", "aggressive"), fc.string()), { nil: undefined }),
});

describe("fuzz: policy files", () => {
  it("compilePolicy answers ok or an operator message for any JSON, never throws", { timeout: 30_000 + runs * 20 }, () => {
    fc.assert(
      fc.property(
        fc.oneof(
          json,
          mutatedPolicy.map((p) => ({ version: 1, ...p })),
        ),
        (input) => {
          const result = compilePolicy(input);
          if (!result.ok) expect(typeof result.error).toBe("string");
        },
      ),
      { numRuns: runs },
    );
  });

  it(
    "whatever compiles and passes the hazard check is accepted by compilePolicy; the rest is refused with a reason",
    { timeout: 30_000 + runs * 20 },
    () => {
      fc.assert(
        fc.property(regexish, (source) => {
          fc.pre(source.length > 0 && compiles(source));
          const hazard = regexHazard(source);
          const result = compilePolicy({ version: 1, rules: [{ name: "r", match: { userAgent: source }, action: "deny" }] });
          if (hazard === null) expect(result.ok).toBe(true);
          else expect(result.ok ? "" : result.error).toContain("unsafe regular expression");
        }),
        { numRuns: runs },
      );
    },
  );

  it("never passes the classic catastrophic shapes, whatever the atom", { timeout: 30_000 + runs * 20 }, () => {
    const atom = fc.constantFrom("a", "\\w", ".", "[a-z]", "(?:ab)", "\\d");
    fc.assert(
      fc.property(atom, fc.constantFrom("+", "*", "{1,}"), fc.constantFrom("+", "*", "{2,}"), (a, inner, outer) => {
        expect(regexHazard(`^(${a}${inner})${outer}$`)).not.toBeNull();
        expect(regexHazard(`(${a}|${a})${outer}x`)).not.toBeNull();
      }),
      { numRuns: Math.min(runs, 100) },
    );
  });
});

describe("fuzz: the AI-agent list refresh", () => {
  it("takes a list only when every token is sane and none matches a browser; never throws", { timeout: 30_000 + runs * 20 }, () => {
    const token = fc.oneof(
      fc.constantFrom("GPTBot", "ClaudeBot", "Mozilla", "Safari", "Chrome", "AppleWebKit", "Mobile", "Googlebot", "x"),
      fc.string({ maxLength: 90 }),
    );
    fc.assert(
      fc.property(fc.oneof(fc.dictionary(token, json, { maxKeys: 60 }), json), fc.option(fc.nat(200), { nil: null }), (doc, previous) => {
        const parsed = parseAiRobotsJson(doc, 0);
        if (!parsed.ok) return;
        for (const t of parsed.value.tokens) expect(t).toMatch(/^[A-Za-z0-9][A-Za-z0-9 ._-]{1,79}$/);
        const checked = checkAiAgents(parsed.value, previous, browserCanaries);
        if (!checked.ok) return;
        const re = aiAgentsRegExp(checked.value.tokens);
        for (const ua of browserCanaries) expect(re.test(ua)).toBe(false);
      }),
      { numRuns: runs },
    );
  });
});

describe("fuzz: peer feeds, pushes and lists (parsing)", () => {
  it("feed and push schemas and the plain-list parser refuse junk without throwing", { timeout: 30_000 + runs * 20 }, () => {
    fc.assert(
      fc.property(json, fc.string({ maxLength: 2000 }), (doc, text) => {
        PeerFeedSchema.safeParse(doc);
        PeerPushSchema.safeParse(doc);
        const list = parseBlocklistText(text);
        if (list.ok) for (const bad of list.value.bad) expect(typeof bad.error).toBe("string");
      }),
      { numRuns: runs },
    );
  });
});

describe("fuzz: queue messages (schema)", () => {
  it("DecisionReportSchema refuses junk without throwing", { timeout: 30_000 + runs * 20 }, () => {
    fc.assert(
      fc.property(json, (body) => {
        DecisionReportSchema.safeParse(body);
      }),
      { numRuns: runs },
    );
  });
});
