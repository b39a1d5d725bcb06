import { readdirSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import { Log, LogLevel, Miniflare, convertV4MiniflareOptions, type LegacyWorkerOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { startOrigin, type RunningOrigin } from "./origin/server";
import { DEMO_BANNERS, DEMO_ROBOTS, DEMO_SITES, DEMO_SITES_DOCUMENT } from "./demo-sites";
import { kvKeys, siteKeys } from "../core/kv-keys";
import { startLocalPostgres, type LocalPostgres } from "./postgres";
import { BUILD_DIR, ROOT, buildAll, type BuildResult } from "./build";
import { devSecrets, type DevSecrets } from "./secrets";
import { WORKERS, type WorkerName } from "./workers";

/** The `request.cf` of every dev request (RFC 5398 documentation ASN). */
export const DEV_CF = {
  asn: 64500,
  asOrganization: "edge-guard dev",
  country: "NL",
  httpProtocol: "HTTP/2",
  tlsVersion: "TLSv1.3",
  clientTcpRtt: 12,
};

/** Where the local stack listens, and where it keeps its state. */
export interface StackOptions {
  readonly host?: string;
  /** edge-guard in front of the demo origin (the protected site). 0 = any free port. */
  readonly edgePort: number;
  readonly adminPort: number;
  readonly originPort: number;
  /** Local state (KV, Durable Objects, Postgres) is kept here; undefined = in memory, gone at stop. */
  readonly stateDir?: string;
  /** Skip the wrangler build and use what dist/ holds (tests build once). */
  readonly prebuilt?: boolean;
  /** Print the Workers' logs (console.log/error) to this process's stdout. */
  readonly verbose?: boolean;
  /** Called for every request the demo origin answers (tests count the real pages a client got). */
  readonly onOriginRequest?: (req: IncomingMessage) => void;
  /** Extra vars per Worker, e.g. to lower thresholds in tests. */
  readonly vars?: Partial<Record<WorkerName, Record<string, string>>>;
}

export interface Stack {
  readonly edgeUrl: string;
  readonly adminUrl: string;
  readonly originUrl: string;
  readonly databaseUrl: string;
  readonly neonLocalProxy: string;
  /** Local-only secrets (admin dev token, metrics token…). */
  readonly secrets: DevSecrets;
  readonly builds: readonly BuildResult[];
  readonly miniflare: Miniflare;
  /** The demo origin and the embedded Postgres, for the fault suite to slow down, stop and restart. */
  readonly origin: Pick<RunningOrigin, "setDelay" | "pause" | "resume">;
  readonly postgres: Pick<LocalPostgres, "suspend" | "resume">;
  stop(): Promise<void>;
}

type ModuleType = "ESModule" | "CompiledWasm" | "Data" | "Text";
// Built modules are plain JS plus the wasm and model files wrangler emits next to them.
const MODULE_TYPES: ReadonlyArray<readonly [RegExp, ModuleType]> = [
  [/\.m?js$/, "ESModule"],
  [/\.wasm$/, "CompiledWasm"],
  [/\.(?:onnx|bin)$/, "Data"],
  [/\.(?:txt|html|sql)$/, "Text"],
];

/** The modules of a built Worker, main module first (Miniflare 5 takes an explicit list, not rules). */
export function builtModules(outDir: string): Array<{ type: ModuleType; path: string }> {
  const files = readdirSync(outDir, { recursive: true, encoding: "utf8" }).sort(
    (a, b) => Number(b === "index.js") - Number(a === "index.js"),
  );
  return files.flatMap((file) => {
    const type = MODULE_TYPES.find(([re]) => re.test(file))?.[1];
    return type === undefined ? [] : [{ type, path: join(outDir, file) }];
  });
}

/**
 * Starts the whole product locally: the demo origin, the embedded Postgres, and the four Workers in one
 * workerd (Miniflare) sharing KV, Durable Objects and Queues exactly as their wrangler configs describe.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const host = options.host ?? "127.0.0.1";
  const cleanups: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((e: unknown) => console.error(e));
  };
  try {
    const [origin, postgres, builds] = await Promise.all([
      startOrigin({
        port: options.originPort,
        host,
        onRequest: options.onOriginRequest,
        robotsByHost: DEMO_ROBOTS,
        bannerByHost: DEMO_BANNERS,
      }),
      startLocalPostgres({
        dataDir: options.stateDir && join(options.stateDir, "postgres"),
        port: 0,
        host,
        // Always said: a session some Worker left open holds every other one back until the proxy closes it.
        warn: (line) => console.warn(`[postgres] ${line}`),
      }),
      options.prebuilt ? Promise.resolve(prebuiltResults()) : buildAll(),
    ]);
    cleanups.push(
      () => origin.close(),
      () => postgres.stop(),
    );
    const secrets = await devSecrets(options.stateDir);
    const shared: Record<string, string> = { DATABASE_URL: postgres.databaseUrl, NEON_LOCAL_PROXY: postgres.neonLocalProxy };
    const perWorker: Record<WorkerName, Record<string, string>> = {
      "edge-guard": {
        ORIGIN_URL: origin.url,
        DEV_CLIENT_OVERRIDES: "on",
        TOKEN_SECRET: secrets.TOKEN_SECRET,
        METRICS_TOKEN: secrets.METRICS_TOKEN,
        SUMMARY_MAX_WAIT_MS: "2000",
      },
      // Dev pacing: a page trickles out over ~1.5 s instead of wrangler.toml's production 30 s, so tests don't crawl.
      "edge-guard-tarpit": { ...shared, STREAM_DELAY_MS: "100" },
      "edge-guard-escalation": shared,
      "edge-guard-admin": {
        ...shared,
        DEV_MODE: "on",
        SESSION_SECRET: secrets.SESSION_SECRET,
        ADMIN_DEV_TOKEN: secrets.ADMIN_DEV_TOKEN,
        ADMIN_DEV_USER: `admin:${secrets.ADMIN_DEV_PASSWORD}:${secrets.ADMIN_DEV_TOTP}`,
        METRICS_TOKEN: secrets.METRICS_TOKEN,
        PEER_SIGNING_JWK: secrets.PEER_SIGNING_JWK,
      },
    };
    const workers = WORKERS.map((w): LegacyWorkerOptions => {
      const { workerOptions } = unstable_getMiniflareWorkerOptions(join(ROOT, w.config));
      const outDir = join(BUILD_DIR, w.dir);
      const {
        modulesRules: _rules,
        rootPath: _root,
        ...bindingOptions
      } = workerOptions as LegacyWorkerOptions & { modulesRules?: unknown };
      return {
        ...bindingOptions,
        name: w.name,
        modules: builtModules(outDir),
        modulesRoot: outDir,
        bindings: { ...(bindingOptions.bindings as Record<string, unknown>), ...perWorker[w.name], ...options.vars?.[w.name] },
        unsafeDirectSockets: w.name === "edge-guard-admin" ? [{ host, port: options.adminPort }] : undefined,
      } as LegacyWorkerOptions;
    });
    // The first Worker answers Miniflare's main socket: edge-guard is the protected site.
    workers.sort((a, b) => Number(b.name === "edge-guard") - Number(a.name === "edge-guard"));
    // wrangler hands out Miniflare 4-style (flat) worker options; Miniflare 5 converts them.
    const miniflare = new Miniflare(
      convertV4MiniflareOptions({
        host,
        port: options.edgePort,
        workers,
        defaultPersistRoot: options.stateDir && join(options.stateDir, "workers"),
        // Every request looks as it would through Cloudflare's edge (HTTP/2 over TLS 1.3, a documentation ASN),
        // so real browsers on plain local HTTP are not flagged for it; X-Dev-Cf overrides per request.
        cf: DEV_CF,
        log: new Log(options.verbose ? LogLevel.INFO : LogLevel.WARN),
      }),
    );
    cleanups.push(() => miniflare.dispose());
    const edgeUrl = (await miniflare.ready).toString().replace(/\/$/, "");
    const adminUrl = (await miniflare.unsafeGetDirectURL("edge-guard-admin")).toString().replace(/\/$/, "");
    await seedDemoSites(await miniflare.getKVNamespace("BLOCKLIST", "edge-guard"));
    return {
      edgeUrl,
      adminUrl,
      originUrl: origin.url,
      databaseUrl: postgres.databaseUrl,
      neonLocalProxy: postgres.neonLocalProxy,
      secrets,
      builds,
      miniflare,
      origin,
      postgres,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The two demo sites and their policies, on a stack's first start only (no sites document yet): a restart keeps what
 * an operator changed since. Every other host (127.0.0.1, localhost) stays the default site's.
 */
async function seedDemoSites(kv: {
  get(key: string): Promise<string | null>;
  put(key: string, value: string): Promise<void>;
}): Promise<void> {
  if ((await kv.get(kvKeys.sites)) !== null) return;
  for (const site of DEMO_SITES) await kv.put(siteKeys(site.id).policy, JSON.stringify(site.policy));
  await kv.put(kvKeys.sites, JSON.stringify(DEMO_SITES_DOCUMENT));
}

function prebuiltResults(): BuildResult[] {
  return WORKERS.map((w) => ({ name: w.name, outDir: join(BUILD_DIR, w.dir), size: "(prebuilt)" }));
}
