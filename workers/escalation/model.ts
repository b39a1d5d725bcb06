import * as ort from "onnxruntime-web/wasm";
import ortWasm from "onnxruntime-web/ort-wasm-simd-threaded.wasm";
import bundledModel from "../../models/edge-guard.onnx";
import { FEATURE_COUNT } from "../../core/features";
import type { CompiledPathModel } from "../../core/path-sequence";
import { ModelContractError, checkModelContract } from "./onnx-metadata";

/** What /healthz reports about the model in this isolate. */
export interface ModelStatus {
  readonly state: "unloaded" | "loading" | "ready" | "failed";
  readonly version: string | null;
  /** Stable error code when `failed` (also the console.error code). */
  readonly error?: "model_load_failed" | "model_contract_mismatch";
  readonly detail?: string;
  /** Cold load time: ORT start-up plus session creation, ms. */
  readonly loadMs?: number;
}

/** A usable model: the ONNX session and the human path model it was trained with (both from the one file). */
export interface LoadedModel {
  readonly session: ort.InferenceSession;
  readonly version: string;
  readonly pathModel: CompiledPathModel;
}

/** How long a failed load is remembered before the next batch tries again, ms. */
const RETRY_FAILED_LOAD_MS = 5 * 60_000;
// The smallest valid wasm file. Handing ORT these bytes as `wasmBinary` steers its glue onto the
// instantiate-from-bytes path, where the shim below substitutes the module wrangler compiled at deploy time.
const PLACEHOLDER_WASM = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);

/** The bundled model's bytes (a Data module), copied so a caller may not change the module's buffer. */
export const bundledModelBytes = (): Uint8Array => new Uint8Array(bundledModel);

/**
 * Loads one model, once (lazily), and remembers how that went: the isolate's escalation state holds one, built from
 * the bundled bytes; a test or the dev fault switch builds one from other bytes. A failed load is retried after
 * RETRY_FAILED_LOAD_MS.
 */
export class ModelLoader {
  #loading: Promise<LoadedModel | null> | null = null;
  #failedAt = 0;
  #status: ModelStatus = { state: "unloaded", version: null };

  constructor(private readonly bytes: () => Uint8Array = bundledModelBytes) {}

  /** The model's state in this isolate. */
  status(): ModelStatus {
    return this.#status;
  }

  /** The model, loaded once; null, after logging, when it cannot be used. */
  load(): Promise<LoadedModel | null> {
    if (this.#loading !== null && !(this.#status.state === "failed" && Date.now() - this.#failedAt > RETRY_FAILED_LOAD_MS))
      return this.#loading;
    this.#loading = this.#load();
    return this.#loading;
  }

  async #load(): Promise<LoadedModel | null> {
    const started = Date.now();
    this.#status = { state: "loading", version: null };
    const bytes = this.bytes();
    try {
      const { version, pathModel } = checkModelContract(bytes);
      configureOrt();
      const session = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"], graphOptimizationLevel: "all" });
      this.#status = { state: "ready", version, loadMs: Date.now() - started };
      console.log(
        JSON.stringify({
          msg: "model_loaded",
          version,
          pathModel: pathModel.version,
          loadMs: this.#status.loadMs,
          bytes: bytes.byteLength,
        }),
      );
      return { session, version, pathModel };
    } catch (error) {
      const code = error instanceof ModelContractError ? "model_contract_mismatch" : "model_load_failed";
      this.#failedAt = Date.now();
      this.#status = { state: "failed", version: null, error: code, detail: String(error).slice(0, 500) };
      // Loud on purpose: without a model, escalation decides by rules alone until the next deploy.
      console.error(JSON.stringify({ code, detail: this.#status.detail, fallback: "rules" }));
      return null;
    }
  }
}

/** P(bot) for each feature row, or null (after logging) when inference fails: the caller falls back to rules. */
export async function scoreRows(model: LoadedModel, rows: readonly (readonly number[])[]): Promise<number[] | null> {
  if (rows.length === 0) return [];
  try {
    const input = new ort.Tensor("float32", Float32Array.from(rows.flat()), [rows.length, FEATURE_COUNT]);
    const output = (await model.session.run({ features: input }))["score"];
    if (output === undefined || !(output.data instanceof Float32Array)) throw new Error("no float output named 'score'");
    return Array.from(output.data);
  } catch (error) {
    console.error(JSON.stringify({ code: "model_inference_failed", version: model.version, error: String(error) }));
    return null;
  }
}

// ORT's settings are module-global in onnxruntime-web itself, so whether they are set is too (once per isolate).
let ortConfigured = false;
function configureOrt(): void {
  if (ortConfigured) return;
  // workerd has no threads, no script URL and no run-time wasm compilation (../shared/PLATFORM.md).
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmBinary = PLACEHOLDER_WASM;
  ort.env.logLevel = "error";
  const instantiate = WebAssembly.instantiate.bind(WebAssembly);
  const shim = async (source: BufferSource | WebAssembly.Module, imports?: WebAssembly.Imports) => {
    if (source instanceof WebAssembly.Module || !isPlaceholder(source)) return instantiate(source, imports);
    return { instance: await instantiate(ortWasm, imports), module: ortWasm };
  };
  WebAssembly.instantiate = shim as typeof WebAssembly.instantiate;
  ortConfigured = true;
}

function isPlaceholder(source: BufferSource): boolean {
  const bytes = ArrayBuffer.isView(source) ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength) : new Uint8Array(source);
  return bytes.length === PLACEHOLDER_WASM.length && bytes.every((b, i) => b === PLACEHOLDER_WASM[i]);
}
