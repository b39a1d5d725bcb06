import { createExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { HistoryEntry } from "../../../core/client-history";
import { FEATURE_NAMES, MODEL_METADATA_KEYS, extractFeatures } from "../../../core/features";
import type { DecisionReport } from "../../../core/report";
import type { EscalationEnv } from "../../../workers/escalation/env";
import { escalationWorker } from "../../../workers/escalation/index";
import { ModelLoader, scoreRows } from "../../../workers/escalation/model";
import { createEscalationState } from "../../../workers/escalation/state";
import { aReport, BOT_REPORT, browsingBefore, HUMAN_REPORT } from "./reports";

// Cloudflare.Exports is not declared for the test projects yet (no worker-env.d.ts), so type the one export used.
const self = (exports as unknown as { default: Fetcher }).default;

const history = (reports: readonly DecisionReport[]): HistoryEntry[] => reports.map((r) => ({ id: r.id, at: r.at, path: r.path }));

describe("escalation model in workerd", () => {
  it("loads the bundled ONNX model and scores a bot-like client above a person", async () => {
    const loader = new ModelLoader();
    const model = await loader.load();
    if (model === null) throw new Error(`model did not load: ${JSON.stringify(loader.status())}`);
    const bot = extractFeatures(aReport(BOT_REPORT), [], model.pathModel);
    const person = extractFeatures(aReport(HUMAN_REPORT), history(browsingBefore({}, "model-person")), model.pathModel);
    const [botScore, personScore] = (await scoreRows(model, [bot, person])) ?? [];
    expect(botScore).toBeGreaterThan(0.9);
    expect(personScore).toBeLessThan(0.2);
    expect(model.pathModel.version).toMatch(/^pm-[0-9a-f]{8}$/);
    expect(loader.status()).toMatchObject({ state: "ready", version: expect.stringMatching(/^(?:lr|gbt)-[0-9a-f]{10}$/) });
  });

  it("reports the model on /healthz", async () => {
    const response = await self.fetch("http://escalation.test/healthz");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, model: { state: "ready", version: expect.any(String) } });
  });

  it("says why, and /healthz fails, when the model bytes are not ONNX", async () => {
    const state = createEscalationState(() => new TextEncoder().encode("this is not an onnx model"));
    expect(await state.model.load()).toBeNull();
    expect(state.model.status()).toMatchObject({ state: "failed", version: null, error: "model_load_failed" });
    const response = await escalationWorker(state).fetch(
      new Request("http://escalation.test/healthz"),
      env as unknown as EscalationEnv,
      createExecutionContext(),
    );
    expect(response.status).toBe(503);
  });

  it.each([
    ["trained on other features", FEATURE_NAMES.join(","), FEATURE_NAMES.join(",").replace("ua_browser", "ua_bruwser")],
    ["without its path model", MODEL_METADATA_KEYS.pathModel, MODEL_METADATA_KEYS.pathModel.replace("path", "pith")],
  ])("refuses a model %s", async (_, from, to) => {
    const bytes = replaceAscii(await bundledBytes(), from, to);
    const loader = new ModelLoader(() => bytes);
    expect(await loader.load()).toBeNull();
    expect(loader.status()).toMatchObject({ state: "failed", error: "model_contract_mismatch" });
  });
});

async function bundledBytes(): Promise<Uint8Array> {
  const { default: bytes } = await import("../../../models/edge-guard.onnx");
  return new Uint8Array(bytes);
}

/** Same-length in-place replacement, so the protobuf stays well-formed. */
function replaceAscii(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const [a, b] = [new TextEncoder().encode(from), new TextEncoder().encode(to)];
  const out = bytes.slice();
  for (let i = 0; i + a.length <= out.length; i++) {
    if (a.every((byte, j) => out[i + j] === byte)) {
      out.set(b, i);
      return out;
    }
  }
  throw new Error(`"${from}" not found`);
}
