import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FEATURE_COUNT, FEATURE_NAMES, extractFeatures, type FeatureName } from "../../../core/features";
import type { DecisionReport } from "../../../core/report";
import { ModelLoader, scoreRows, type LoadedModel } from "../../../workers/escalation/model";
import { fuzzRuns } from "../../support/fuzz-runs";
import { aReport, BOT_REPORT, browsingBefore, HUMAN_REPORT } from "./reports";

/**
 * The shipped model (models/edge-guard.onnx, whichever train-model chose) and a gradient-boosted tree ensemble
 * (test/fixtures/models/gbt-example.onnx, an ONNX-ML TreeEnsembleRegressor written by train-model --model gbt), both
 * run by the real onnxruntime-web in workerd: evidence of a trap or the tarpit never lowers a client's score.
 */
const runs = fuzzRuns(40);
const INCREASING: readonly FeatureName[] = ["trap_share", "log1p_tarpit_hits", "edge_score"];
const index = (name: FeatureName): number => FEATURE_NAMES.indexOf(name);

/** A feature row in each feature's range: flags 0/1, log1p counts up to ~9, shares and scaled scores in [0, 1]. */
const featureRow = fc.tuple(
  ...FEATURE_NAMES.map((name) =>
    name.startsWith("log1p_")
      ? fc.double({ min: 0, max: 9, noNaN: true })
      : name.startsWith("ua_") ||
          name.startsWith("sig_") ||
          ["no_accept_language", "browser_without_sec_fetch", "accept_wildcard_only", "hdr_headless", "datacenter_asn"].includes(name)
        ? fc.constantFrom(0, 1)
        : fc.double({ min: 0, max: 1, noNaN: true }),
  ),
);

async function loaded(bytes?: () => Uint8Array): Promise<LoadedModel> {
  const loader = new ModelLoader(bytes);
  const model = await loader.load();
  if (model === null) throw new Error(`model did not load: ${JSON.stringify(loader.status())}`);
  return model;
}

async function gbtFixture(): Promise<Uint8Array> {
  const { default: bytes } = await import("../../fixtures/models/gbt-example.onnx");
  return new Uint8Array(bytes);
}

async function scores(model: LoadedModel, rows: readonly (readonly number[])[]): Promise<number[]> {
  const out = await scoreRows(model, rows);
  if (out === null) throw new Error("inference failed");
  return out;
}

/** For each row, the row and copies with `feature` raised by `delta` (capped at the feature's top). */
function raised(row: readonly number[], feature: FeatureName, delta: number): number[] {
  const top = feature.startsWith("log1p_") ? 9 : 1;
  return row.map((v, j) => (j === index(feature) ? Math.min(top, v + delta) : v));
}

describe.each([
  ["the shipped model", undefined],
  ["a gradient-boosted tree ensemble", "gbt"],
] as const)("%s in workerd", (_, which) => {
  const model = () => (which === "gbt" ? gbtFixture().then((b) => loaded(() => b)) : loaded());

  it.each(INCREASING)("never scores a client lower for more %s", async (feature) => {
    const m = await model();
    await fc.assert(
      fc.asyncProperty(featureRow, fc.double({ min: 0.01, max: 5, noNaN: true }), async (row, delta) => {
        const [before = NaN, after = NaN] = await scores(m, [row, raised(row, feature, delta)]);
        expect(after).toBeGreaterThanOrEqual(before - 1e-6);
      }),
      { numRuns: runs },
    );
  });

  it("never scores a client lower for more tarpit hops or a robots.txt violation in its report", async () => {
    const m = await model();
    const base = [aReport(HUMAN_REPORT), aReport(BOT_REPORT), aReport({ ...HUMAN_REPORT, reasons: [], action: "allow", score: 0 })];
    const history = browsingBefore({}, "monotone").map((r) => ({ id: r.id, at: r.at, path: r.path }));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...base),
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 1, max: 500 }),
        fc.boolean(),
        async (report, hops, more, robots) => {
          const before: DecisionReport = { ...report, counts: { ...report.counts, tarpitHits: hops } };
          const after: DecisionReport = {
            ...before,
            counts: { ...before.counts, tarpitHits: hops + more },
            reasons: robots ? [...before.reasons, { code: "robots-violation", weight: 50 }] : before.reasons,
          };
          const rows = [before, after].map((r) => extractFeatures(r, history, m.pathModel));
          const [s0 = NaN, s1 = NaN] = await scores(m, rows);
          expect(s1).toBeGreaterThanOrEqual(s0 - 1e-6);
        },
      ),
      { numRuns: runs },
    );
  });
});

describe("a gradient-boosted tree ensemble (ONNX-ML TreeEnsembleRegressor) in workerd", () => {
  it("loads through the model contract and scores a bot-like client above a person", async () => {
    const bytes = await gbtFixture();
    const loader = new ModelLoader(() => bytes);
    const m = await loader.load();
    if (m === null) throw new Error(`model did not load: ${JSON.stringify(loader.status())}`);
    expect(loader.status()).toMatchObject({ state: "ready", version: expect.stringMatching(/^gbt-[0-9a-f]{10}$/) });
    const person = extractFeatures(
      aReport(HUMAN_REPORT),
      browsingBefore({}, "gbt-person").map((r) => ({ id: r.id, at: r.at, path: r.path })),
      m.pathModel,
    );
    const bot = extractFeatures(aReport(BOT_REPORT), [], m.pathModel);
    const [botScore = NaN, personScore = NaN] = await scores(m, [bot, person]);
    expect(botScore).toBeGreaterThan(0.9);
    expect(personScore).toBeLessThan(botScore);
    expect(bot).toHaveLength(FEATURE_COUNT);
  });
});
