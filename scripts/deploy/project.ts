// A deployable project: its Worker configs, the site config, and everything checkable about them without an
// account, gathered into one value or refused with every problem named.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { configProblems, deployOrder, queueNames, sharedKv, type DeployOrder, type SharedKv } from "./checks";
import { readProjectConfigs, type WorkerConfig } from "./configs";
import { SECRETS, secretProblems, type SecretSpec } from "./secrets";
import { parseSites, routesOf, type Route, type SitesConfig } from "./sites";

/** The site config a deploy reads, at the project root; the example is what a dry run falls back to. */
export const SITES_FILE = "edge-guard.sites.json";
export const SITES_EXAMPLE_FILE = "edge-guard.sites.example.json";

export interface Project {
  readonly root: string;
  readonly configs: readonly WorkerConfig[];
  readonly order: DeployOrder;
  readonly kv: readonly SharedKv[];
  readonly queues: readonly string[];
  readonly secrets: readonly SecretSpec[];
  readonly sitesFile: string;
  readonly sites: SitesConfig;
  readonly routes: readonly Route[];
  /** The config of the Worker that takes the routes. */
  readonly routeWorker: WorkerConfig;
}

/** Where the site config comes from: a given file, else edge-guard.sites.json, else (dry run only) the example. */
export function findSitesFile(root: string, given: string | undefined, allowExample: boolean): string {
  if (given !== undefined) return given;
  if (existsSync(join(root, SITES_FILE))) return SITES_FILE;
  if (allowExample) return SITES_EXAMPLE_FILE;
  throw new Error(
    `no site config: create ${SITES_FILE} at the project root (copy ${SITES_EXAMPLE_FILE}: each site's zone and hostnames), or pass --sites FILE`,
  );
}

/** Reads and checks the whole project; throws one error listing every problem found. */
export function loadProject(
  root: string,
  sitesFile: string,
  configs: readonly WorkerConfig[] = readProjectConfigs(root),
  secrets: readonly SecretSpec[] = SECRETS,
): Project {
  const problems = [
    ...configProblems(configs),
    ...secretProblems(
      secrets,
      configs.map((c) => c.name),
    ),
  ];
  let sitesText: string | null = null;
  try {
    sitesText = readFileSync(resolve(root, sitesFile), "utf8");
  } catch {
    problems.push(`${sitesFile}: cannot be read (missing?)`);
  }
  const sites = sitesText === null ? null : parseSites(sitesText, sitesFile);
  if (sites !== null && !sites.ok) problems.push(sites.error);
  const routeWorker = sites?.ok ? configs.find((c) => c.name === sites.value.worker) : undefined;
  if (sites?.ok && routeWorker === undefined)
    problems.push(
      `${sitesFile}: "worker" is "${sites.value.worker}", which no config defines (Workers: ${configs.map((c) => c.name).join(", ")})`,
    );
  if (sites?.ok && !configs.some((c) => c.name === sites.value.admin))
    problems.push(`${sitesFile}: "admin" is "${sites.value.admin}", which no config defines`);
  const order = deployOrder(configs);
  if (problems.length > 0 || !order.ok || sites === null || !sites.ok || routeWorker === undefined) {
    throw new Error(`the deployment is not consistent:\n${problems.map((p) => `  ✖ ${p.replace(/\n/g, "\n    ")}`).join("\n")}`);
  }
  return {
    root,
    configs,
    order: order.value,
    kv: sharedKv(configs),
    queues: queueNames(configs),
    secrets,
    sitesFile,
    sites: sites.value,
    routes: routesOf(sites.value),
    routeWorker,
  };
}

/** The plan, one line per step, in the order the real deploy runs them. */
export function planLines(project: Project): string[] {
  const byName = new Map(project.configs.map((c) => [c.name, c]));
  const lines: string[] = [];
  const step = (text: string) => lines.push(`${lines.length + 1}. ${text}`);
  for (const kv of project.kv) {
    step(
      `KV namespace for binding ${kv.binding}: ${/^[0-9a-f]{32}$/.test(kv.id) ? `check id ${kv.id} exists` : `find or create "${kv.id}"`}, write its id into ${kv.configs.join(", ")}`,
    );
  }
  for (const q of project.queues) step(`queue ${q}: find or create`);
  step("Postgres: apply migrations/ to DATABASE_URL (drizzle-kit migrate)");
  step("build the dashboard assets (dev/build-ui.ts)");
  for (const name of project.order.order) {
    const secrets = project.secrets.filter((s) => s.workers.includes(name));
    if (secrets.length === 0) continue;
    const label = (s: SecretSpec) =>
      `${s.name}${s.source.kind === "generate" ? " (generated if missing)" : s.source.kind === "optional" ? " (if set in the environment)" : ""}`;
    step(`secrets of ${name}: ${secrets.map(label).join(", ")}; only those not set yet`);
  }
  step(
    `routes of ${project.routeWorker.name} (${project.routeWorker.configPath}): ${project.routes.map((r) => `${r.pattern} in zone ${r.zone_name}`).join(", ")}`,
  );
  for (const p of project.order.placeholders)
    step(`placeholder Worker ${p.to} if it does not exist yet (${p.from}'s service binding ${p.via} must resolve)`);
  for (const name of project.order.order) {
    const c = byName.get(name);
    if (c === undefined) continue;
    const why = reasonsFor(project, name);
    step(
      `deploy ${name} (${c.configPath}${c.migrationTags.length > 0 ? `; Durable Object migrations ${c.migrationTags.join(", ")}` : ""}${c.crons.length > 0 ? `; crons ${c.crons.join(" | ")}` : ""})${why}`,
    );
  }
  step(
    `sites document (KV sites:directory): ${project.sites.sites.map((site) => `${site.name} = ${site.hostnames.join(" ")}`).join("; ")}; every other host is the default site's`,
  );
  for (const site of project.sites.sites)
    step(`smoke check site ${site.name}: edge answers, a GPTBot request does not get the origin page`);
  step("smoke check admin: /healthz answers healthy");
  return lines;
}

function reasonsFor(project: Project, name: string): string {
  const before = project.configs
    .flatMap((c) => (c.name === name ? [] : [...depsOf(project, c.name, name)]))
    .filter((d, i, all) => all.indexOf(d) === i);
  return before.length === 0 ? "" : ` — before ${before.join(", ")}`;
}

function* depsOf(project: Project, caller: string, callee: string): Generator<string> {
  const position = (n: string) => project.order.order.indexOf(n);
  if (position(caller) < position(callee)) return;
  const c = project.configs.find((x) => x.name === caller);
  if (c === undefined) return;
  for (const s of c.services) if (s.service === callee) yield `${caller} (service ${s.binding})`;
  for (const d of c.durableObjects) if (d.scriptName === callee) yield `${caller} (Durable Object ${d.className})`;
}
