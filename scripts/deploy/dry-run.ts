// `npm run deploy -- --dry-run`: the plan, and every check that needs no account. Each Worker is built as
// `wrangler deploy --dry-run` builds it (from its own folder), the bundles are checked to export the Durable Object
// classes other Workers bind, and the Postgres migrations are applied to a fresh embedded database.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { openLocalDatabase } from "../../dev/postgres";
import { moduleExports } from "./configs";
import { planLines, type Project } from "./project";
import { describeCommand, type Runner } from "./runner";

export interface DryRunReport {
  readonly plan: readonly string[];
  /** Per Worker, in deploy order: wrangler's "Total Upload" line (e.g. "1130.00 KiB / gzip: 221.38 KiB"). */
  readonly builds: readonly { readonly name: string; readonly size: string }[];
  /** Migrations applied to the fresh database, and how many the journal lists. */
  readonly migrations: { readonly applied: number; readonly journal: number };
  readonly problems: readonly string[];
}

/** Runs the dry run. `prepare` builds what the configs expect on disk (the dashboard's assets) before the builds. */
export async function dryRun(
  project: Project,
  runner: Runner,
  prepare: () => Promise<void>,
  log: (line: string) => void,
): Promise<DryRunReport> {
  const plan = planLines(project);
  log(`Plan (site config: ${project.sitesFile}):`);
  for (const line of plan) log(`  ${line}`);
  log("");
  const problems: string[] = [];

  log("Building every Worker as a deploy would (wrangler deploy --dry-run):");
  await prepare();
  const outRoot = mkdtempSync(join(tmpdir(), "edge-guard-deploy-"));
  const builds: { name: string; size: string }[] = [];
  try {
    const byName = new Map(project.configs.map((c) => [c.name, c]));
    const built = await inPairs(project.order.order, async (name) => {
      const config = byName.get(name);
      if (config === undefined) return { name, size: "", bundle: "" };
      const outDir = join(outRoot, name);
      const command = {
        tool: "wrangler" as const,
        args: ["deploy", "--dry-run", "--outdir", outDir, "-c", basename(config.configPath)],
        cwd: config.dir,
      };
      log(`  $ ${describeCommand(command)}`);
      const result = await runner(command);
      const size = /Total Upload: (.+)/.exec(result.stdout + result.stderr)?.[1]?.trim();
      if (result.code !== 0 || size === undefined) {
        problems.push(
          `${config.configPath}: wrangler deploy --dry-run failed (exit ${result.code}):\n${(result.stdout + result.stderr).trim()}`,
        );
        return { name, size: "", bundle: "" };
      }
      const bundleFile = readdirSync(outDir).find((f) => /\.m?js$/.test(f) && !f.endsWith(".map.js"));
      return { name, size, bundle: bundleFile === undefined ? "" : readFileSync(join(outDir, bundleFile), "utf8") };
    });
    for (const b of built) {
      if (b.size !== "") {
        builds.push({ name: b.name, size: b.size });
        log(`  ${b.name.padEnd(24)} ${b.size}`);
      }
    }
    // The bundle, not just the source, must export each Durable Object class a Worker hosts.
    for (const c of project.configs) {
      for (const d of c.durableObjects) {
        const hostName = d.scriptName ?? c.name;
        const bundle = built.find((b) => b.name === hostName)?.bundle ?? "";
        if (bundle !== "" && !moduleExports(bundle.slice(bundle.lastIndexOf("export {"))).includes(d.className)) {
          problems.push(
            `${c.configPath}: Durable Object binding ${d.binding} needs class ${d.className}, which ${hostName}'s built bundle does not export`,
          );
        }
      }
    }
  } finally {
    rmSync(outRoot, { recursive: true, force: true });
  }

  log("Applying the Postgres migrations to a fresh embedded database:");
  const journal = (JSON.parse(readFileSync(join(project.root, "migrations/meta/_journal.json"), "utf8")) as { entries: unknown[] }).entries
    .length;
  let applied = 0;
  try {
    const pg = await openLocalDatabase(undefined);
    try {
      applied = (await pg.query<{ n: number }>("SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations")).rows[0]?.n ?? 0;
    } finally {
      await pg.close();
    }
  } catch (error) {
    problems.push(`migrations/: applying to a fresh database failed: ${(error as Error).message}`);
  }
  if (applied !== journal && problems.every((p) => !p.startsWith("migrations/")))
    problems.push(`migrations/: ${applied} applied, but the journal lists ${journal}`);
  log(`  ${applied} of ${journal} migrations applied`);
  return { plan, builds, migrations: { applied, journal }, problems };
}

/** Maps over items two at a time (the machines have two cores; a wrangler build is mostly one). Keeps the order. */
async function inPairs<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += 2) out.push(...(await Promise.all(items.slice(i, i + 2).map(work))));
  return out;
}
