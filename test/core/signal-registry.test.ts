import { describe, expect, it } from "vitest";
import { factsOf } from "../support/request-facts";
import { FEATURE_NAMES, extractFeatures } from "../../core/features";
import { compilePolicy, type CompiledPolicy } from "../../core/policy/compile";
import { evaluatePolicy } from "../../core/policy/evaluate";
import { PRESETS } from "../../core/policy/presets";
import type { DecisionReport } from "../../core/report";
import {
  CONTEXT_SIGNALS,
  FLEET_EVIDENCE_SIGNALS,
  SIGNAL_CODES,
  SIGNALS,
  TRAP_SIGNALS,
  isSignalCode,
  signal,
  signalsForFeature,
} from "../../core/signals/registry";

function compiled(input: unknown): CompiledPolicy {
  const result = compilePolicy(input);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

const facts = factsOf();

describe("the signal registry", () => {
  it("gives every signal a default weight, a description and only features the model has", () => {
    for (const code of SIGNAL_CODES) {
      const spec = SIGNALS[code];
      expect(code).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(Number.isInteger(spec.weight), code).toBe(true);
      expect(spec.description.length, code).toBeGreaterThan(10);
      if (spec.feature !== null) expect(FEATURE_NAMES).toContain(spec.feature);
    }
  });

  it("builds a signal with its default weight", () => {
    expect(signal("ua-ai-crawler", "GPTBot")).toEqual({ code: "ua-ai-crawler", weight: SIGNALS["ua-ai-crawler"].weight, detail: "GPTBot" });
    expect(signal("trap-path")).toEqual({ code: "trap-path", weight: 60 });
  });

  it("knows its codes and nothing else", () => {
    expect(isSignalCode("hdr-headless")).toBe(true);
    expect(isSignalCode("hdr-headles")).toBe(false);
    expect(isSignalCode("rule:x")).toBe(false);
    expect(isSignalCode("constructor")).toBe(false);
  });

  it("names every signal the presets' rules match on", () => {
    for (const [name, preset] of Object.entries(PRESETS)) {
      for (const rule of preset.rules)
        for (const code of rule.match.signal ?? []) expect(isSignalCode(code), `${name}/${rule.name}: ${code}`).toBe(true);
    }
  });

  it("applies a policy's weight override to the registry's signal", () => {
    expect(evaluatePolicy(compiled({ version: 1, signalWeights: { tor: 70 } }), facts, [signal("tor")]).score).toBe(70);
    expect(evaluatePolicy(compiled({ version: 1 }), facts, [signal("tor")]).score).toBe(SIGNALS.tor.weight);
    const typo = compilePolicy({ version: 1, signalWeights: { torr: 70 } });
    expect(typo.ok).toBe(false);
  });

  it("derives the escalation and fleet sets: trap signals never count as context or the other way round", () => {
    expect([...TRAP_SIGNALS].sort()).toEqual(["honeypot-foreign", "honeypot-hit", "honeypot-own", "tarpit-visitor", "trap-path"]);
    for (const code of TRAP_SIGNALS) expect(CONTEXT_SIGNALS.has(code)).toBe(false);
    expect(CONTEXT_SIGNALS.has("asn-datacenter")).toBe(true);
    expect(CONTEXT_SIGNALS.has("crawl-scripted")).toBe(false);
    expect(FLEET_EVIDENCE_SIGNALS.has("no-subresources")).toBe(true);
    expect(FLEET_EVIDENCE_SIGNALS.has("asn-datacenter")).toBe(false);
  });

  it("feeds each signal-set feature exactly from the signals the registry assigns to it", () => {
    const base: DecisionReport = {
      v: 1,
      at: 0,
      ip: "198.51.100.7",
      method: "GET",
      path: "/",
      userAgent: "Mozilla/5.0",
      headers: {},
      cf: {},
      action: "allow",
      score: 0,
      reasons: [],
      counts: { hits1m: 1, hits10m: 1, tarpitHits: 0 },
    } as unknown as DecisionReport;
    for (const feature of ["hdr_inconsistent", "sig_rate", "sig_no_subresources", "hdr_headless"] as const) {
      const index = FEATURE_NAMES.indexOf(feature);
      for (const code of signalsForFeature(feature)) {
        const row = extractFeatures({ ...base, signals: [code] }, [], null);
        expect(row[index], `${code} → ${feature}`).toBeGreaterThan(0);
      }
    }
  });
});
