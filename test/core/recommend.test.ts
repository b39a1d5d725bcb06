import { describe, expect, it } from "vitest";
import type { ClientIp } from "../../core/client-ip";
import { compilePolicy, type CompiledPolicy } from "../../core/policy/compile";
import { evaluatePolicy } from "../../core/policy/evaluate";
import { MIN_LABELS_PER_KIND, recommend, type LabelledSample } from "../../core/policy/recommend";
import { sampleLabel, SAMPLE_LABEL_LOOKBACK_MS, type LabelAnchor } from "../../core/policy/sample-labels";
import type { ReasonCode } from "../../core/signals/registry";

const DOCUMENT = { version: 1, preset: "moderate", thresholds: { challenge: 50, tarpit: 80, block: 120 } };

function compiled(input: unknown): CompiledPolicy {
  const result = compilePolicy(input);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

function sample(label: "human" | "bot", signals: Array<[ReasonCode, number]>, i: number): LabelledSample {
  return {
    label,
    signals: signals.map(([code, weight]) => ({ code, weight })),
    facts: {
      ip: `198.51.100.${i % 250}` as ClientIp,
      method: "GET",
      path: "/articles/x",
      userAgent: "Mozilla/5.0",
      headers: {},
      cf: {},
      receivedAt: i,
    },
  };
}

const many = (n: number, make: (i: number) => LabelledSample) => Array.from({ length: n }, (_, i) => make(i));

describe("recommend", () => {
  it("lowers a challenge threshold that lets labelled bots through, without a false alarm on people", () => {
    // Bots score 45 (rate-ip 40 + ua-feed-reader 5), people 0 or 10: at 50 every bot is missed.
    const samples = [
      ...many(30, (i) =>
        sample(
          "bot",
          [
            ["rate-ip", 40],
            ["ua-feed-reader", 5],
          ],
          i,
        ),
      ),
      ...many(30, (i) => sample("human", i % 3 === 0 ? [["rate-asn", 10]] : [], i)),
    ];
    const result = recommend(compiled(DOCUMENT), DOCUMENT, samples);
    expect(result.current).toEqual({ misses: 30, falseAlarms: 0, lockouts: 0 });
    const top = result.suggestions[0];
    expect(top).toBeDefined();
    const challenge = top?.changes.find((c) => c.kind === "threshold" && c.name === "challenge");
    expect(challenge?.from).toBe(50);
    expect(challenge?.to).toBe(45); // the smallest step that catches them: the one closest to the policy now
    expect(top?.after).toEqual({ misses: 0, falseAlarms: 0, lockouts: 0 });
    expect(top?.changed).toBe(30);
    // The draft is the written policy plus the change, and it compiles.
    expect(top?.policy).toMatchObject({ version: 1, preset: "moderate" });
    expect(compilePolicy(top?.policy).ok).toBe(true);
  });

  it("lowers a signal weight that raises false alarms on people", () => {
    // rate-asn (weight 60 here) fires for people on a busy network and for bots; bots also carry rate-ip.
    const policy = { ...DOCUMENT, signalWeights: { "rate-asn": 60 } };
    const samples = [
      ...many(25, (i) => sample("human", [["rate-asn", 60]], i)),
      ...many(25, (i) => sample("human", [], i)),
      ...many(30, (i) =>
        sample(
          "bot",
          [
            ["rate-asn", 60],
            ["rate-ip", 40],
          ],
          i,
        ),
      ),
    ];
    const result = recommend(compiled(policy), policy, samples);
    expect(result.current.falseAlarms).toBe(25);
    const weight = result.suggestions.flatMap((s) => s.changes).find((c) => c.kind === "weight" && c.code === "rate-asn");
    expect(weight?.from).toBe(60);
    expect(weight?.to).toBeLessThan(50);
    const best = result.suggestions[0];
    expect(best?.after.falseAlarms).toBe(0);
    expect(best?.after.misses).toBe(0);
    expect(compilePolicy(best?.policy).ok).toBe(true);
  });

  it("never suggests a change that tarpits or blocks more people than now, even to catch more bots", () => {
    // Bots and people look the same (hdr-old-tls 30): catching the bots would challenge every person.
    const samples = [
      ...many(30, (i) => sample("bot", [["hdr-old-tls", 30]], i)),
      ...many(30, (i) => sample("human", [["hdr-old-tls", 30]], i)),
    ];
    const result = recommend(compiled(DOCUMENT), DOCUMENT, samples);
    expect(result.suggestions).toEqual([]);
  });

  it("suggests nothing from too few labels, and says how many it needs", () => {
    const few = [...many(3, (i) => sample("bot", [["rate-ip", 40]], i)), ...many(MIN_LABELS_PER_KIND, (i) => sample("human", [], i))];
    const result = recommend(compiled(DOCUMENT), DOCUMENT, few);
    expect(result).toMatchObject({ bots: 3, humans: MIN_LABELS_PER_KIND, minimumPerLabel: MIN_LABELS_PER_KIND, suggestions: [] });
    expect(result.current.misses).toBe(3);
  });

  it("is deterministic: the same labels give the same suggestions, whatever their order", () => {
    const samples = [
      ...many(40, (i) =>
        sample(
          "bot",
          i % 2 === 0
            ? [["rate-ip", 40]]
            : [
                ["rate-ip", 40],
                ["rate-asn", 10],
              ],
          i,
        ),
      ),
      ...many(40, (i) =>
        sample(
          "human",
          i % 4 === 0
            ? [
                ["rate-asn", 10],
                ["hdr-old-tls", 30],
              ]
            : [],
          i,
        ),
      ),
    ];
    const a = recommend(compiled(DOCUMENT), DOCUMENT, samples);
    const b = recommend(compiled(DOCUMENT), DOCUMENT, [...samples].reverse());
    expect(a.suggestions.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });

  it("counts today's misses and false alarms exactly as the dry run re-decides them, whatever weight each row stored", () => {
    // rate-ip was stored at 40 on most rows and at 60 on rows from the days of an old override: evaluatePolicy keeps each.
    const samples = [
      ...many(30, (i) => sample("bot", [["rate-ip", i % 3 === 0 ? 60 : 40]], i)),
      ...many(30, (i) => sample("human", i % 5 === 0 ? [["rate-ip", 60]] : [], i)),
    ];
    const policy = compiled(DOCUMENT);
    const expected = { misses: 0, falseAlarms: 0, lockouts: 0 };
    for (const s of samples) {
      const action = evaluatePolicy(policy, s.facts, s.signals).action;
      if (s.label === "bot" && action === "allow") expected.misses++;
      if (s.label === "human" && action !== "allow") expected.falseAlarms++;
    }
    const result = recommend(policy, DOCUMENT, samples);
    expect(result.current).toEqual(expected);
    expect(expected).toEqual({ misses: 20, falseAlarms: 6, lockouts: 0 });
    for (const s of result.suggestions) expect(s.before).toEqual(expected);
  });

  it("leaves outright rule decisions alone: a declared AI crawler stays tarpitted whatever the weights", () => {
    const samples = [...many(30, (i) => sample("bot", [["ua-ai-crawler", 60]], i)), ...many(30, (i) => sample("human", [], i))];
    const result = recommend(compiled(DOCUMENT), DOCUMENT, samples);
    expect(result.current).toEqual({ misses: 0, falseAlarms: 0, lockouts: 0 });
    expect(result.suggestions).toEqual([]);
  });
});

describe("sampleLabel", () => {
  const at = 10 * 60 * 60_000;
  const anchor = (value: string, source: "edge" | "operator", ip = "192.0.2.1", when = at): LabelAnchor => ({
    ip,
    at: when,
    value,
    source,
  });

  it("labels the IP's decisions in the lookback before a labelling event, and no others", () => {
    const anchors = [anchor("bot", "edge")];
    expect(sampleLabel("192.0.2.1", at, anchors)).toBe("bot");
    expect(sampleLabel("192.0.2.1", at - SAMPLE_LABEL_LOOKBACK_MS, anchors)).toBe("bot");
    expect(sampleLabel("192.0.2.1", at - SAMPLE_LABEL_LOOKBACK_MS - 1, anchors)).toBeNull();
    expect(sampleLabel("192.0.2.1", at + 1, anchors)).toBeNull();
    expect(sampleLabel("192.0.2.2", at, anchors)).toBeNull();
  });

  it("lets an operator overrule the edge, drops contradictions of one source, and never samples a good bot", () => {
    expect(sampleLabel("192.0.2.1", at, [anchor("bot", "edge"), anchor("human", "operator")])).toBe("human");
    expect(sampleLabel("192.0.2.1", at, [anchor("bot", "edge"), anchor("human", "edge")])).toBeNull();
    expect(sampleLabel("192.0.2.1", at, [anchor("good-bot", "edge")])).toBeNull();
  });
});
