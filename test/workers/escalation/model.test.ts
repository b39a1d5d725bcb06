import { exports } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { FEATURE_NAMES, extractFeatures } from "../../../core/features";
import type { DecisionReport } from "../../../core/report";
import { modelStatus, scoreRows, useModelBytesForTests } from "../../../workers/escalation/model";
import { aReport, BOT_REPORT, HUMAN_REPORT } from "./reports";

afterEach(() => useModelBytesForTests(null));
// Cloudflare.Exports is not declared for the test projects yet (no worker-env.d.ts), so type the one export used.
const self = (exports as unknown as { default: Fetcher }).default;

const rowOf = (over: Partial<DecisionReport>) => extractFeatures(aReport(over));

describe("escalation model in workerd", () => {
  it("loads the bundled ONNX model and scores a bot-like report above a human-like one", async () => {
    const result = await scoreRows([rowOf(BOT_REPORT), rowOf(HUMAN_REPORT)]);
    expect(result).not.toBeNull();
    const [bot, human] = result?.scores ?? [];
    expect(bot).toBeGreaterThan(0.9);
    expect(human).toBeLessThan(0.2);
    const status = modelStatus();
    expect(status).toMatchObject({ state: "ready", version: expect.stringMatching(/^lr-[0-9a-f]{10}$/) });
    console.log(`model ${status.version}: cold load ${status.loadMs} ms; bot ${bot?.toFixed(4)}, human ${human?.toFixed(4)}`);
  });

  it("reports the model on /healthz", async () => {
    const response = await self.fetch("http://escalation.test/healthz");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, model: { state: "ready", version: expect.any(String) } });
  });

  it("returns null scores, and says why, when the model bytes are not ONNX", async () => {
    useModelBytesForTests(new TextEncoder().encode("this is not an onnx model"));
    expect(await scoreRows([rowOf(BOT_REPORT)])).toBeNull();
    expect(modelStatus()).toMatchObject({ state: "failed", version: null });
    const response = await self.fetch("http://escalation.test/healthz");
    expect(response.status).toBe(503);
  });

  it("refuses a model trained on other features", async () => {
    const valid = await fetchBundledBytes();
    const tampered = replaceAscii(valid, FEATURE_NAMES.join(","), FEATURE_NAMES.join(",").replace("ua_browser", "ua_bruwser"));
    useModelBytesForTests(tampered);
    expect(await scoreRows([rowOf(BOT_REPORT)])).toBeNull();
    expect(modelStatus()).toMatchObject({ state: "failed", error: "model_contract_mismatch" });
  });
});

async function fetchBundledBytes(): Promise<Uint8Array> {
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
