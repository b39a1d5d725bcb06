// The real deploy: resources, ids into configs, migrations, secrets, routes, Workers in dependency order, then a
// smoke check of every site. Every call to Cloudflare goes through the Runner; nothing here prints a secret value.
import { kvKeys } from "../../core/kv-keys";
import { sitesDocumentOf } from "./sites";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { KV_ID } from "./checks";
import type { WorkerConfig } from "./configs";
import type { Project } from "./project";
import { describeCommand, type Command, type CommandResult, type Runner } from "./runner";
import { resolveSecrets, type Ask } from "./secrets";
import { setKvId, setRoutes } from "./toml-edit";

/** Everything a deploy touches outside its own memory. Tests replace all of it; `npm run deploy` passes the real ones. */
export interface DeployIo {
  readonly runner: Runner;
  readonly log: (line: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly ask: Ask;
  /** Project files, by path relative to the root (the configs the deploy edits, the placeholder it writes). */
  readonly readFile: (path: string) => string;
  readonly writeFile: (path: string, text: string) => void;
  /** Builds what a Worker's config expects on disk before its deploy (the dashboard's assets). */
  readonly prepare: () => Promise<void>;
  /** HTTP for the smoke checks (redirects not followed). */
  readonly http: (url: string, headers: Record<string, string>) => Promise<{ status: number; body: string }>;
  /** Waits between smoke-check attempts (new routes and Workers take a few seconds to answer everywhere). */
  readonly sleep: (ms: number) => Promise<void>;
}

/** Smoke-check attempts, and the pause between them. */
export const SMOKE_ATTEMPTS = 6;
export const SMOKE_PAUSE_MS = 5_000;

/** A browser's User-Agent, and a declared AI crawler's, for the smoke checks. */
export const SMOKE_BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36";
export const SMOKE_AI_UA = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)";

/** Where a placeholder Worker's script is written: outside the project, so wrangler finds no wrangler.toml above it. */
const PLACEHOLDER_DIR = join(tmpdir(), "edge-guard-deploy-placeholder");

/** Runs the whole deploy. Throws with the failing step named; smoke-check failures are collected and thrown at the end. */
export async function deploy(project: Project, io: DeployIo): Promise<void> {
  const byName = new Map(project.configs.map((c) => [c.name, c]));
  const run = async (command: Command, what: string): Promise<CommandResult> => {
    io.log(`  $ ${describeCommand(command)}`);
    const result = await io.runner(command);
    if (result.code !== 0) throw new Error(`${what} failed (exit ${result.code}):\n${result.stdout}${result.stderr}`);
    return result;
  };
  const wranglerIn = (c: WorkerConfig, ...args: string[]): Command => ({
    tool: "wrangler",
    args: [...args, "-c", basename(c.configPath)],
    cwd: c.dir,
  });

  io.log("KV namespaces");
  let blocklistId: string | null = null;
  const listed = parseJsonArray(
    (await run({ tool: "wrangler", args: ["kv", "namespace", "list"], cwd: "." }, "listing KV namespaces")).stdout,
  ) as { id?: string; title?: string }[];
  for (const kv of project.kv) {
    let id: string;
    if (KV_ID.test(kv.id)) {
      if (!listed.some((n) => n.id === kv.id))
        throw new Error(`KV binding ${kv.binding}: id ${kv.id} (in ${kv.configs.join(", ")}) is not a namespace of this account`);
      id = kv.id;
      io.log(`  ${kv.binding}: ${id} (exists)`);
    } else {
      const found = listed.find((n) => n.title === kv.id)?.id;
      if (found !== undefined) id = found;
      else {
        const created = await run(
          { tool: "wrangler", args: ["kv", "namespace", "create", kv.id], cwd: "." },
          `creating KV namespace ${kv.id}`,
        );
        const match = /"?id"?\s*[:=]\s*"([0-9a-f]{32})"/.exec(created.stdout);
        if (match?.[1] === undefined) throw new Error(`creating KV namespace ${kv.id}: no id in wrangler's answer:\n${created.stdout}`);
        id = match[1];
      }
      io.log(`  ${kv.binding}: "${kv.id}" is ${id}${found === undefined ? " (created)" : " (found)"}`);
    }
    for (const config of kv.configs) io.writeFile(config, setKvId(io.readFile(config), kv.binding, id));
    if (kv.binding === "BLOCKLIST") blocklistId = id;
  }

  io.log("Queues");
  const queueList = (await run({ tool: "wrangler", args: ["queues", "list"], cwd: "." }, "listing queues")).stdout;
  for (const queue of project.queues) {
    if (new RegExp(`(^|[\\s│|])${queue.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[\\s│|])`, "m").test(queueList))
      io.log(`  ${queue} (exists)`);
    else {
      const command: Command = { tool: "wrangler", args: ["queues", "create", queue], cwd: "." };
      io.log(`  $ ${describeCommand(command)}`);
      const created = await io.runner(command);
      // `queues list` shows one page: a queue on a later page exists already, which is as good as created.
      if (created.code !== 0 && !/already (exists|taken)/i.test(created.stdout + created.stderr)) {
        throw new Error(`creating queue ${queue} failed (exit ${created.code}):\n${created.stdout}${created.stderr}`);
      }
      io.log(`  ${queue} (${created.code === 0 ? "created" : "exists"})`);
    }
  }

  io.log("Postgres migrations");
  const databaseUrl = io.env["DATABASE_URL"] ?? (await io.ask("DATABASE_URL", "Postgres connection string the migrations are applied to"));
  if (databaseUrl === null || databaseUrl === "")
    throw new Error("DATABASE_URL is needed for the Postgres migrations: set it in the environment, e.g. DATABASE_URL=… npm run deploy");
  await run({ tool: "drizzle-kit", args: ["migrate"], cwd: ".", env: { DATABASE_URL: databaseUrl } }, "applying the Postgres migrations");

  io.log("Build");
  await io.prepare();

  io.log("Secrets");
  const exists = new Set<string>();
  const missing = new Map<string, string[]>(); // Worker → secret names not set yet
  for (const name of project.order.order) {
    const config = byName.get(name);
    const specs = project.secrets.filter((s) => s.workers.includes(name));
    if (config === undefined) continue;
    const listCommand = wranglerIn(config, "secret", "list", "--format", "json");
    io.log(`  $ ${describeCommand(listCommand)}`);
    const listing = await io.runner(listCommand);
    // Only "no such Worker" means nothing is set: on any other failure, generating secrets anew would replace live ones.
    if (listing.code !== 0 && !/10007|script_not_found|does not exist|not found/i.test(listing.stdout + listing.stderr)) {
      throw new Error(`listing the secrets of ${name} failed (exit ${listing.code}):\n${listing.stdout}${listing.stderr}`);
    }
    const present =
      listing.code === 0
        ? new Set((parseJsonArray(listing.stdout) as { name?: string }[]).map((s) => s.name))
        : new Set<string | undefined>();
    if (listing.code === 0) exists.add(name);
    missing.set(
      name,
      specs.filter((s) => !present.has(s.name)).map((s) => s.name),
    );
  }
  const wanted = new Set([...missing.values()].flat());
  const values = await resolveSecrets(project.secrets, wanted, { ...io.env, DATABASE_URL: databaseUrl }, io.ask);
  for (const [name, secretNames] of missing) {
    const config = byName.get(name);
    if (config === undefined) continue;
    for (const secret of secretNames) {
      const entry = values.get(secret);
      if (entry === undefined) continue;
      await run({ ...wranglerIn(config, "secret", "put", secret), stdin: entry.value }, `setting secret ${secret} on ${name}`);
      exists.add(name); // `secret put` creates a draft Worker when there is none
      io.log(`  ${name}: ${secret} set (${entry.origin})`);
    }
  }

  io.log("Routes");
  io.writeFile(project.routeWorker.configPath, setRoutes(io.readFile(project.routeWorker.configPath), project.routes));
  for (const r of project.routes) io.log(`  ${project.routeWorker.name}: ${r.pattern} (zone ${r.zone_name})`);

  io.log("Deploy");
  for (const p of project.order.placeholders) {
    if (exists.has(p.to)) continue;
    const config = byName.get(p.to);
    io.writeFile(`${PLACEHOLDER_DIR}/index.mjs`, "export default { fetch() { return new Response(null, { status: 503 }); } };\n");
    await run(
      {
        tool: "wrangler",
        args: ["deploy", "index.mjs", "--name", p.to, "--compatibility-date", "2026-08-01", "--no-bundle"],
        cwd: PLACEHOLDER_DIR,
      },
      `creating a placeholder for ${p.to} (${config?.configPath ?? "?"})`,
    );
    exists.add(p.to);
  }
  const urls = new Map<string, string>();
  for (const name of project.order.order) {
    const config = byName.get(name);
    if (config === undefined) continue;
    const result = await run(wranglerIn(config, "deploy"), `deploying ${name}`);
    const url = /https:\/\/[a-z0-9.-]+\.workers\.dev/.exec(result.stdout)?.[0];
    if (url !== undefined) urls.set(name, url);
    exists.add(name);
    io.log(`  ${name} deployed${url === undefined ? "" : ` (${url})`}`);
  }

  // The edge resolves each request's host to its site from this document (core/sites.ts); admin edits it later.
  io.log("Sites");
  if (blocklistId === null) io.log("  no BLOCKLIST KV namespace in the configs: no sites document written (one site)");
  else {
    const document = JSON.stringify(sitesDocumentOf(project.sites));
    await run(
      { tool: "wrangler", args: ["kv", "key", "put", kvKeys.sites, document, "--namespace-id", blocklistId, "--remote"], cwd: "." },
      "writing the sites document",
    );
    io.log(`  ${project.sites.sites.map((site) => site.name).join(", ")} (and the default site for any other host)`);
  }

  io.log("Smoke check");
  let failures = await smokeCheck(project, io, urls);
  for (let attempt = 2; failures.length > 0 && attempt <= SMOKE_ATTEMPTS; attempt++) {
    io.log(`  not yet (${failures.length} failing), attempt ${attempt} of ${SMOKE_ATTEMPTS} in ${SMOKE_PAUSE_MS / 1000} s`);
    await io.sleep(SMOKE_PAUSE_MS);
    failures = await smokeCheck(project, io, urls);
  }
  if (failures.length > 0) throw new Error(`deployed, but the smoke check failed:\n${failures.map((f) => `  ✖ ${f}`).join("\n")}`);
  io.log("  all sites answer, keep AI crawlers out, and admin is healthy");
}

/** Checks each site (edge answers; a GPTBot request does not get what a browser gets) and admin's /healthz. */
export async function smokeCheck(project: Project, io: DeployIo, urls: ReadonlyMap<string, string>): Promise<string[]> {
  const failures: string[] = [];
  const get = async (url: string, ua: string) => {
    try {
      return await io.http(url, { "user-agent": ua, accept: "text/html" });
    } catch (error) {
      return { status: 0, body: String(error) };
    }
  };
  for (const site of project.sites.sites) {
    const host = site.hostnames.find((h) => !h.startsWith("*."));
    if (host === undefined) {
      io.log(`  site ${site.name}: only wildcard hostnames, nothing to request`);
      continue;
    }
    const url = `https://${host}${site.smokePath}`;
    const browser = await get(url, SMOKE_BROWSER_UA);
    if (browser.status === 0 || browser.status >= 500)
      failures.push(`site ${site.name}: ${url} answered ${browser.status || "nothing"} to a browser`);
    const bot = await get(url, SMOKE_AI_UA);
    if (bot.status === 0 || bot.status >= 500) failures.push(`site ${site.name}: ${url} answered ${bot.status || "nothing"} to GPTBot`);
    else if (bot.status === browser.status && bot.body === browser.body && browser.status !== 0)
      failures.push(`site ${site.name}: GPTBot got the same page as a browser at ${url} (is the route on edge-guard? MODE observe?)`);
    else io.log(`  site ${site.name}: ${url} ${browser.status} for a browser, ${bot.status} and another page for GPTBot`);
  }
  const admin = project.sites.adminUrl ?? urls.get(project.sites.admin);
  if (admin === undefined)
    failures.push('admin: no URL to check (its deploy printed no workers.dev URL): set "adminUrl" in the site config');
  else {
    const health = await get(`${admin.replace(/\/+$/, "")}/healthz`, SMOKE_BROWSER_UA);
    if (health.status !== 200 || !/"ok"\s*:\s*true/.test(health.body))
      failures.push(`admin: ${admin}/healthz answered ${health.status || "nothing"}`);
    else io.log(`  admin: ${admin}/healthz healthy`);
  }
  return failures;
}

/** The JSON array in a command's output (wrangler may print a banner before it); [] when there is none. */
export function parseJsonArray(output: string): unknown[] {
  const end = output.lastIndexOf("]") + 1;
  // Try each line that starts with "[": banners and warnings ("▲ [WARNING] …") come before the JSON.
  for (let at = output.indexOf("["); at !== -1 && at < end; at = output.indexOf("\n[", at + 1) + 1 || -1) {
    try {
      const value: unknown = JSON.parse(output.slice(at, end));
      if (Array.isArray(value)) return value;
    } catch {
      // not the JSON yet
    }
  }
  return [];
}
