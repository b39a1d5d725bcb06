// npm run deploy                 creates/finds resources, sets secrets, migrates, deploys, adds routes, smoke-checks
// npm run deploy -- --dry-run    prints the plan and checks everything that needs no account (builds, bindings, migrations)
// Options: --sites FILE (default edge-guard.sites.json; the dry run falls back to edge-guard.sites.example.json)
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { buildUi } from "../../dev/build-ui";
import { writeRulesIndex } from "../codegen/rules-index";
import { deploy } from "./deploy";
import { dryRun } from "./dry-run";
import { findSitesFile, loadProject } from "./project";
import { processRunner } from "./runner";
import type { Ask } from "./secrets";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** Asks on the terminal without echoing what is typed; null without a terminal (CI must use the environment). */
const askQuietly: Ask = async (name, about) => {
  if (!process.stdin.isTTY) return null;
  let muted = false;
  const output = new Writable({ write: (chunk: Buffer, _encoding, done) => (muted ? done() : process.stdout.write(chunk, () => done())) });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  const answer = await new Promise<string>((resolveAnswer) => {
    rl.question(`${name} (${about}): `, resolveAnswer);
    muted = true;
  });
  rl.close();
  process.stdout.write("\n");
  return answer.trim();
};

async function main(argv: readonly string[]): Promise<number> {
  const isDry = argv.includes("--dry-run");
  const sitesAt = argv.indexOf("--sites");
  const given = sitesAt === -1 ? undefined : argv[sitesAt + 1];
  const unknown = argv.filter((a, i) => a !== "--dry-run" && a !== "--sites" && !(sitesAt !== -1 && i === sitesAt + 1));
  if (unknown.length > 0 || (sitesAt !== -1 && given === undefined)) {
    console.error(`usage: npm run deploy [-- --dry-run] [-- --sites FILE]${unknown.length > 0 ? ` (unknown: ${unknown.join(" ")})` : ""}`);
    return 2;
  }
  const project = loadProject(ROOT, findSitesFile(ROOT, given, isDry));
  const runner = processRunner(ROOT);
  const prepare = async () => {
    writeRulesIndex();
    await buildUi();
  };
  if (isDry) {
    const report = await dryRun(project, runner, prepare, console.log);
    if (report.problems.length > 0) {
      console.error(`\nDry run found problems:\n${report.problems.map((p) => `  ✖ ${p}`).join("\n")}`);
      return 1;
    }
    console.log(
      "\nDry run passed: every Worker builds, the configs agree, the migrations apply. `npm run deploy` does the above for real.",
    );
    return 0;
  }
  await deploy(project, {
    runner,
    log: console.log,
    env: process.env,
    ask: askQuietly,
    readFile: (path) => readFileSync(resolve(ROOT, path), "utf8"),
    writeFile: (path, text) => {
      mkdirSync(dirname(resolve(ROOT, path)), { recursive: true });
      writeFileSync(resolve(ROOT, path), text);
    },
    prepare,
    http: async (url, headers) => {
      const response = await fetch(url, { headers, redirect: "manual", signal: AbortSignal.timeout(15_000) });
      return { status: response.status, body: await response.text() };
    },
    sleep: (ms) => new Promise((done) => setTimeout(done, ms)),
  });
  console.log("\nDeployed. Create the first admin with `npx tsx scripts/ops/admin-user.ts`, or configure Cloudflare Access.");
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`deploy: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
