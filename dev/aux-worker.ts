import { buildSync } from "esbuild";

/**
 * Bundles a small auxiliary Worker (a test or bench host, such as test/workers/range-index-host.ts) into one ES module
 * for workerd: `cloudflare:*` imports left to the runtime. Synchronous, so a vitest config can call it while loading.
 */
export function buildAuxWorker(entry: string, outfile: string): string {
  buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "import"],
    external: ["cloudflare:*"],
    logLevel: "error",
  });
  return outfile;
}
