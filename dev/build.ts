import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { join, resolve } from "node:path";
import { writeRulesIndex } from "../scripts/codegen/rules-index";
import { buildUi } from "./build-ui";
import { WORKERS } from "./workers";

/** The project root (where package.json is). */
export const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
/** Where built Workers go: inside the project root, because workerd refuses module paths with "..". */
export const BUILD_DIR = join(ROOT, "dist");

/** The size of one built Worker, as wrangler prints it. */
export interface BuildResult {
  readonly name: string;
  readonly outDir: string;
  /** e.g. "844.53 KiB / gzip: 140.18 KiB" */
  readonly size: string;
}

/** Builds one Worker exactly as `wrangler deploy` would (`--dry-run --outdir`), without an account. */
export function buildWorker(config: string, outDir: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      [join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", outDir, "-c", config],
      { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", FORCE_COLOR: "0" } },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const size = /Total Upload: (.+)/.exec(output)?.[1]?.trim();
      if (code === 0 && size !== undefined) resolvePromise(size);
      else reject(new Error(`building ${config} failed (exit ${code}):\n${output}`));
    });
  });
}

/** Writes the plugin rules' index and builds the dashboard's assets (the admin Worker bundles their manifest), then all four Workers in parallel into dist/<dir>. */
export async function buildAll(): Promise<BuildResult[]> {
  writeRulesIndex(); // the operator's plugin rules (rules/), bundled into edge-guard
  await buildUi();
  return Promise.all(
    WORKERS.map(async (w) => {
      const outDir = join(BUILD_DIR, w.dir);
      return { name: w.name, outDir, size: await buildWorker(w.config, outDir) };
    }),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  for (const r of await buildAll()) console.log(`${r.name.padEnd(24)} ${r.size}`);
  console.log(`built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
