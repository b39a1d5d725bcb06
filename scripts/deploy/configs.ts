// Reads every Worker's wrangler config into the few facts a deploy needs: bindings to shared resources (KV, queues),
// service bindings, Durable Object bindings and migrations, crons, and the classes its main module exports. Generic:
// a new binding or Worker in a config is picked up without touching this file.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { experimental_readRawConfig } from "wrangler";

/** One `[[kv_namespaces]]` entry. `id` may be a placeholder title (anything but 32 hex digits) until the deploy writes the real id. */
export interface KvBinding {
  readonly binding: string;
  readonly id: string;
}

/** One `[[durable_objects.bindings]]` entry; `scriptName` set when another Worker hosts the class. */
export interface DoBinding {
  readonly binding: string;
  readonly className: string;
  readonly scriptName: string | null;
}

/** The deploy-relevant facts of one Worker's config. Paths are relative to the project root. */
export interface WorkerConfig {
  readonly name: string;
  /** e.g. "workers/tarpit/wrangler.toml" */
  readonly configPath: string;
  /** The folder wrangler runs from for this Worker (the config's own). */
  readonly dir: string;
  readonly main: string;
  readonly kv: readonly KvBinding[];
  readonly queueProducers: readonly { readonly binding: string; readonly queue: string }[];
  readonly queueConsumers: readonly { readonly queue: string; readonly deadLetterQueue: string | null }[];
  readonly services: readonly { readonly binding: string; readonly service: string }[];
  readonly durableObjects: readonly DoBinding[];
  /** Classes the config's migrations create (new_classes + new_sqlite_classes), minus deleted ones. */
  readonly migratedClasses: readonly string[];
  readonly migrationTags: readonly string[];
  readonly crons: readonly string[];
  readonly routes: readonly unknown[];
  /** Names the main module exports (`export { A, B as C } from …`, `export class D`), for DO hosting checks. */
  readonly exports: readonly string[];
}

/** The project's Worker configs: the root `wrangler.toml` and every `workers/<name>/wrangler.toml`, sorted. */
export function discoverConfigs(root: string): string[] {
  const found = existsSync(join(root, "wrangler.toml")) ? ["wrangler.toml"] : [];
  const workersDir = join(root, "workers");
  if (existsSync(workersDir)) {
    for (const entry of readdirSync(workersDir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      for (const file of ["wrangler.toml", "wrangler.jsonc", "wrangler.json"]) {
        if (entry.isDirectory() && existsSync(join(workersDir, entry.name, file))) {
          found.push(`workers/${entry.name}/${file}`);
          break;
        }
      }
    }
  }
  return found;
}

type Raw = Record<string, unknown>;
const arr = (value: unknown): Raw[] => (Array.isArray(value) ? (value as Raw[]) : []);
const str = (value: unknown): string => (typeof value === "string" ? value : "");
const strs = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);

/** Reads one config (TOML or JSON, through wrangler's own parser) relative to `root`. */
export function readWorkerConfig(root: string, configPath: string): WorkerConfig {
  const absolute = resolve(root, configPath);
  const { rawConfig } = experimental_readRawConfig({ config: absolute });
  const raw = rawConfig as Raw;
  const dir = dirname(absolute);
  const name = str(raw["name"]);
  if (name === "") throw new Error(`${configPath}: no \`name\``);
  const main = str(raw["main"]);
  const queues = (raw["queues"] ?? {}) as Raw;
  const durable = (raw["durable_objects"] ?? {}) as Raw;
  const created = new Set<string>();
  for (const m of arr(raw["migrations"])) {
    for (const c of [...strs(m["new_classes"]), ...strs(m["new_sqlite_classes"])]) created.add(c);
    for (const r of arr(m["renamed_classes"])) {
      created.delete(str(r["from"]));
      created.add(str(r["to"]));
    }
    for (const c of strs(m["deleted_classes"])) created.delete(c);
  }
  const mainPath = main === "" ? "" : join(dir, main);
  return {
    name,
    configPath: relative(root, absolute),
    dir: relative(root, dir) || ".",
    main: mainPath === "" ? "" : relative(root, mainPath),
    kv: arr(raw["kv_namespaces"]).map((k) => ({ binding: str(k["binding"]), id: str(k["id"]) })),
    queueProducers: arr(queues["producers"]).map((p) => ({ binding: str(p["binding"]), queue: str(p["queue"]) })),
    queueConsumers: arr(queues["consumers"]).map((c) => ({ queue: str(c["queue"]), deadLetterQueue: str(c["dead_letter_queue"]) || null })),
    services: arr(raw["services"]).map((s) => ({ binding: str(s["binding"]), service: str(s["service"]) })),
    durableObjects: arr(durable["bindings"]).map((b) => ({
      binding: str(b["name"]),
      className: str(b["class_name"]),
      scriptName: str(b["script_name"]) || null,
    })),
    migratedClasses: [...created].sort(),
    migrationTags: arr(raw["migrations"]).map((m) => str(m["tag"])),
    crons: strs(((raw["triggers"] ?? {}) as Raw)["crons"]),
    routes: Array.isArray(raw["routes"]) ? (raw["routes"] as unknown[]) : [],
    exports: mainPath !== "" && existsSync(mainPath) ? moduleExports(readFileSync(mainPath, "utf8")) : [],
  };
}

/** Reads every discovered config of the project at `root`. */
export function readProjectConfigs(root: string): WorkerConfig[] {
  return discoverConfigs(root).map((path) => readWorkerConfig(root, path));
}

/** Named exports of an ES module's source: `export { A, B as C } from "…"`, `export class D`, `export const E`. */
export function moduleExports(source: string): string[] {
  const names = new Set<string>();
  for (const m of source.matchAll(/export\s*(?:type\s*)?\{([^}]*)\}/g)) {
    if (m[0].includes("type")) continue;
    for (const part of (m[1] ?? "").split(",")) {
      const name = part
        .trim()
        .split(/\s+as\s+/)
        .pop()
        ?.trim();
      if (name) names.add(name);
    }
  }
  for (const m of source.matchAll(/export\s+(?:default\s+)?(?:abstract\s+)?(?:class|function|const|let)\s+([A-Za-z_$][\w$]*)/g)) {
    if (m[1] !== undefined) names.add(m[1]);
  }
  return [...names].sort();
}
