/**
 * The tarpit Worker alone in workerd (Miniflare), built as `wrangler deploy` builds it, on a direct socket, plus a
 * way to read the workerd process's CPU time from /proc (Workers give code no CPU clock; the OS does).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Log, LogLevel, Miniflare, convertV4MiniflareOptions, type LegacyWorkerOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { BUILD_DIR, ROOT, buildWorker } from "../dev/build";

const CONFIG = "workers/tarpit/wrangler.toml";
const OUT_DIR = join(BUILD_DIR, "tarpit");
const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux x86_64

/** A running tarpit. */
export interface TarpitHarness {
  readonly url: string;
  readonly miniflare: Miniflare;
  /** CPU seconds (user + system) the workerd process has used so far. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Builds the tarpit once (dist/tarpit). */
export async function buildTarpit(): Promise<string> {
  return buildWorker(CONFIG, OUT_DIR);
}

/** Starts the built tarpit with `vars` over its wrangler.toml vars, its Durable Objects in memory. */
export async function startTarpit(vars: Record<string, string>): Promise<TarpitHarness> {
  const before = new Set(workerdPids());
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(ROOT, CONFIG));
  const { modulesRules: _rules, rootPath: _root, ...bindingOptions } = workerOptions as LegacyWorkerOptions & { modulesRules?: unknown };
  const modules = readdirSync(OUT_DIR, { recursive: true, encoding: "utf8" })
    .filter((file) => /\.m?js$/.test(file))
    .sort((a, b) => Number(b === "index.js") - Number(a === "index.js"))
    .map((file) => ({ type: "ESModule" as const, path: join(OUT_DIR, file) }));
  const worker = {
    ...bindingOptions,
    name: "edge-guard-tarpit",
    modules,
    modulesRoot: OUT_DIR,
    bindings: { ...(bindingOptions.bindings as Record<string, unknown>), ...vars },
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
  } as LegacyWorkerOptions;
  const miniflare = new Miniflare(
    convertV4MiniflareOptions({ host: "127.0.0.1", port: 0, workers: [worker], cf: false, log: new Log(LogLevel.WARN) }),
  );
  await miniflare.ready;
  const url = (await miniflare.unsafeGetDirectURL("edge-guard-tarpit")).toString().replace(/\/$/, "");
  const pids = workerdPids().filter((pid) => !before.has(pid));
  if (pids.length === 0) throw new Error("could not find the workerd process Miniflare started");
  return {
    url,
    miniflare,
    cpuSeconds: () => pids.reduce((sum, pid) => sum + cpuTicks(pid), 0) / CLOCK_TICKS_PER_SECOND,
    stop: () => miniflare.dispose(),
  };
}

/** workerd processes that are children of this process. */
function workerdPids(): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return stat.includes("(workerd)") && Number(fields[1]) === process.pid;
      } catch {
        return false;
      }
    });
}

/** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}
