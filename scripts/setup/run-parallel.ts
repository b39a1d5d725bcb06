/**
 * `tsx scripts/setup/run-parallel.ts <npm script>...`: runs the named npm scripts two at a time (more on machines with
 * more cores), in the order given (longest first balances best). Each tsc run is one thread, so `npm run typecheck` on
 * the 2-core machines took the sum of all its projects in a row. Each script's output is printed whole when it ends;
 * the exit code is non-zero if any failed, and every script runs to its end either way (all errors at once).
 */
import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";

interface Outcome {
  readonly script: string;
  readonly code: number;
  readonly output: string;
}

function runScript(script: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", script], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, FORCE_COLOR: "0" },
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", (error) => resolve({ script, code: 1, output: `${output}${String(error)}\n` }));
    child.on("close", (code) => resolve({ script, code: code ?? 1, output }));
  });
}

/** Runs every script, at most `lanes` at once, taking the next in order whenever one ends. */
async function runParallel(scripts: readonly string[], lanes: number): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const queue = [...scripts];
  const lane = async (): Promise<void> => {
    for (let script = queue.shift(); script !== undefined; script = queue.shift()) {
      const started = performance.now();
      const outcome = await runScript(script);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      process.stdout.write(`${outcome.code === 0 ? "ok  " : "FAIL"} ${script} (${seconds} s)\n${outcome.output}`);
      outcomes.push(outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, scripts.length) }, lane));
  return outcomes;
}

const scripts = process.argv.slice(2);
if (scripts.length === 0) {
  console.error("usage: tsx scripts/setup/run-parallel.ts <npm script>...");
  process.exit(2);
}
const failed = (await runParallel(scripts, Math.max(2, availableParallelism() - 1))).filter((o) => o.code !== 0);
if (failed.length > 0) {
  console.error(`failed: ${failed.map((o) => o.script).join(", ")}`);
  process.exit(1);
}
