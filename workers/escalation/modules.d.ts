// Module kinds wrangler (and the vitest plugin) load for escalation; see the [[rules]] in wrangler.toml.

declare module "*.onnx" {
  /** A Data module: the file's bytes. */
  const bytes: ArrayBuffer;
  export default bytes;
}

declare module "onnxruntime-web/ort-wasm-simd-threaded.wasm" {
  /** A CompiledWasm module: compiled at deploy time, since workerd refuses to compile WebAssembly at run time. */
  const module: WebAssembly.Module;
  export default module;
}
