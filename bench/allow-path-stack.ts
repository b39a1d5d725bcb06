/**
 * The allow-path bench's stack, shared by `npm run bench` (bench/allow-path.ts) and the profiler (bench/profile.ts): one
 * Miniflare (one workerd) with a 10 KB origin page, edge-guard as built for deploy, a bare pass-through Worker, and the
 * wrk scripts of the client mixes.
 */
import { kvKeys } from "../core/kv-keys";
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { Log, LogLevel, Miniflare, convertV4MiniflareOptions, type LegacyWorkerOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { BUILD_DIR, ROOT, buildWorker } from "../dev/build";
import { builtModules } from "../dev/stack";
import { RANGE_INDEX_INSTANCE } from "../core/range-entries";

export const run = promisify(execFile);
// Four short rounds per target, alternating: the bare Worker alone scatters ±30 % between rounds on these machines.
export const DURATION_S = Number(process.env.BENCH_SECONDS ?? 6);
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
export const CONNECTIONS = 32;

// The origin both Workers front: a 10 KB HTML page, and a 4 KB stylesheet for the .css paths (served as CSS, as a real
// site does: only HTML pages carry a honeypot link). It runs in the same workerd, so it costs both the same.
const ORIGIN = `const page = "<!doctype html><html><head><title>bench</title></head><body>" + "<p>lorem ipsum dolor sit amet</p>".repeat(300) + "</body></html>";
const css = "p { margin: 0 0 1em; line-height: 1.5; }\\n".repeat(100);
export default { fetch(request) {
  return request.url.endsWith(".css")
    ? new Response(css, { headers: { "content-type": "text/css; charset=utf-8" } })
    : new Response(page, { headers: { "content-type": "text/html; charset=utf-8" } });
} };`;
const BARE = `export default { async fetch(request, env) {
  const url = new URL(request.url); const upstream = await fetch(new URL(url.pathname + url.search, env.ORIGIN_URL), request);
  return new Response(upstream.body, upstream); } };`;
const TARPIT_STUB = `export default { fetch() { return new Response("tarpit"); } };`;

const CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
export const CHROME_HEADERS: Record<string, string> = {
  "User-Agent": CHROME_UA,
  Accept: "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8",
  "Accept-Language": "en-US,en;q=0.9",
  "Accept-Encoding": "gzip, deflate, br, zstd",
  "Sec-Ch-Ua": '"Chromium";v="131", "Not_A Brand";v="24", "Google Chrome";v="131"',
  "Sec-Ch-Ua-Mobile": "?0",
  "Sec-Ch-Ua-Platform": '"Linux"',
  "Sec-Fetch-Site": "none",
  "Sec-Fetch-Mode": "navigate",
  "Sec-Fetch-User": "?1",
  "Sec-Fetch-Dest": "document",
  "Upgrade-Insecure-Requests": "1",
};
const LUA_HEADERS = Object.entries(CHROME_HEADERS)
  .map(([k, v]) => `wrk.headers["${k}"] = '${v}'`)
  .join("\n");

// Every visitor makes a page view as a browser does: the page, then one subresource (a stylesheet). Clients that
// never load any are bot evidence for their fleet group, and that is not the allow path. `ip(v)` picks visitor v's
// address; each wrk thread takes its own visitors (setup gives it an id).
const wrkScript = (ip: string) => `
local threads = 0
function setup(thread) thread:set("tid", threads); threads = threads + 1 end
local n = 0
request = function()
  n = n + 1
  local v = math.floor(n / 2) * 2 + (tid or 0)
  wrk.headers["CF-Connecting-IP"] = ${ip}
  if n % 2 == 0 then
    wrk.headers["Accept"] = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8"
    wrk.headers["Sec-Fetch-Mode"] = "navigate"
    wrk.headers["Sec-Fetch-Dest"] = "document"
    wrk.headers["Sec-Fetch-User"] = "?1"
    return wrk.format("GET", "/articles/page-" .. (n % 500))
  end
  wrk.headers["Accept"] = "text/css,*/*;q=0.1"
  wrk.headers["Sec-Fetch-Mode"] = "no-cors"
  wrk.headers["Sec-Fetch-Dest"] = "style"
  wrk.headers["Sec-Fetch-User"] = nil
  return wrk.format("GET", "/static/site-" .. (n % 20) .. ".css")
end
${LUA_HEADERS}
`;

/** The two client mixes, and the hot-key load. */
export const MIXES = {
  // 256 addresses in 198.18.0.0/15 (RFC 2544) taking turns: returning visitors.
  repeating: {
    about: "256 addresses taking turns (returning visitors)",
    lua: wrkScript(`string.format("198.18.%d.%d", (v % 256) % 16, math.floor((v % 256) / 16) + 1)`),
  },
  // Visitor v gets address v of 198.18.0.0/15 (131,072 addresses): each makes one page view and is not seen again
  // unless a run sends more than 131,072 page views.
  fresh: {
    about:
      "each address makes one page view (page + stylesheet) and is never seen again: every request from an address seen for the first time or once before",
    lua: wrkScript(`string.format("198.%d.%d.%d", 18 + math.floor((v % 131072) / 65536), math.floor((v % 65536) / 256), v % 256)`),
  },
  // Half the requests from one hot /24 (a NAT, a university), the other half fresh addresses as above.
  hot: {
    about: "half the requests from one /24 (198.19.255.0/24, a NAT or a campus), half from fresh addresses",
    lua: wrkScript(
      `(v % 2 == 0) and string.format("198.19.255.%d", math.floor(v / 2) % 254 + 1) or string.format("198.18.%d.%d", math.floor((v % 65536) / 256), v % 256)`,
    ),
  },
} as const;
export type MixName = keyof typeof MIXES;

/** The default policy, with the rate signals weighed 0 (see the results file). */
export const BENCH_POLICY = {
  version: 1,
  signalWeights: { "rate-ip": 0, "rate-ip-burst": 0, "rate-ip-sustained": 0, "rate-prefix": 0, "rate-fingerprint": 0, "rate-asn": 0 },
};

export interface WrkResult {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly requests: number;
}

/** One wrk run (two threads, `connections` connections, DURATION_S seconds) with a Lua script; its rate, latency and errors. */
export async function wrk(url: string, scriptPath: string, connections: number = CONNECTIONS): Promise<WrkResult> {
  const { stdout } = await run("wrk", ["-t2", `-c${connections}`, `-d${DURATION_S}s`, "--latency", "-s", scriptPath, url], {
    timeout: (DURATION_S + 60) * 1000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? NaN);
  const ms = (label: string) => {
    const m = new RegExp(`${label}%\\s+([\\d.]+)(us|ms|s)`).exec(stdout);
    if (!m) return NaN;
    const value = Number(m[1]);
    return m[2] === "us" ? value / 1000 : m[2] === "s" ? value * 1000 : value;
  };
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  const requests = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? NaN);
  return { rps, p50Ms: ms("50"), p99Ms: ms("99"), non2xx, requests };
}

/** A free loopback port (the OS picks one; it is released at once for workerd to take). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export interface AllowPathStack {
  readonly mf: Miniflare;
  readonly edgeUrl: string;
  readonly bareUrl: string;
  readonly kv: Awaited<ReturnType<Miniflare["getKVNamespace"]>>;
  /** edge-guard's bundle size as wrangler reports it. */
  readonly size: string;
  /** The wrk script of each mix. */
  readonly scripts: Record<MixName, string>;
  /** The deployment's RangeIndex (it has published its snapshot once). */
  readonly rangeIndex: RangeIndexRpc;
}

/** The RangeIndex methods the bench calls over Miniflare's RPC proxy. */
export interface RangeIndexRpc {
  noteListed(items: readonly { ip: string; expiresAt: number | null }[]): Promise<void>;
}

/** Builds edge-guard and starts the stack; `inspectorPort` opens workerd's inspector (for bench/profile.ts). */
/**
 * The bench's Miniflare: the 10 KB origin, a bare pass-through Worker and edge-guard (plus a tarpit stub), with the
 * bench policy in KV. `edgeVars` adds vars to edge-guard (bench/pay.ts: the paying crawler's dev key directory).
 */
export async function startAllowPathStack(
  options: { inspectorPort?: number; edgeVars?: Readonly<Record<string, string>> } = {},
): Promise<AllowPathStack> {
  await run("wrk", ["--version"]).catch((e: { stdout?: string; code?: unknown }) => {
    if (!String(e.stdout ?? "").includes("wrk")) throw new Error("wrk is missing: apt-get install wrk");
  });
  const edgeDir = join(BUILD_DIR, "edge-guard");
  const size = await buildWorker("wrangler.toml", edgeDir);
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(ROOT, "wrangler.toml"));
  const { modulesRules: _rules, rootPath: _root, ...edgeBindings } = workerOptions as LegacyWorkerOptions & { modulesRules?: unknown };
  const host = "127.0.0.1";
  const originPort = await freePort();
  const originUrl = `http://${host}:${originPort}/`;
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host,
      port: 0,
      ...(options.inspectorPort === undefined ? {} : { inspectorPort: options.inspectorPort }),
      log: new Log(LogLevel.ERROR),
      cf: false,
      workers: [
        {
          name: "origin",
          modules: true,
          script: ORIGIN,
          compatibilityDate: "2026-08-01",
          unsafeDirectSockets: [{ host, port: originPort }],
        },
        { name: "edge-guard-tarpit", modules: true, script: TARPIT_STUB, compatibilityDate: "2026-08-01" },
        {
          ...edgeBindings,
          name: "edge-guard",
          modules: builtModules(edgeDir),
          modulesRoot: edgeDir,
          // A TOKEN_SECRET, as a deploy has: challenges and honeypot links are on (one page in four carries a link).
          bindings: {
            ...(edgeBindings.bindings as Record<string, unknown>),
            DEV_CLIENT_OVERRIDES: "on",
            ORIGIN_URL: originUrl,
            TOKEN_SECRET: "bench-token-secret-0123456789abcdef-0123",
            ...options.edgeVars,
          },
          unsafeDirectSockets: [{ host, port: 0 }],
        } as LegacyWorkerOptions,
        {
          name: "bare",
          modules: true,
          script: BARE,
          compatibilityDate: "2026-08-01",
          bindings: { ORIGIN_URL: originUrl },
          unsafeDirectSockets: [{ host, port: 0 }],
        },
      ],
    }),
  );
  await mf.ready;
  const kv = await mf.getKVNamespace("BLOCKLIST", "edge-guard");
  await kv.put(kvKeys.policy, JSON.stringify(BENCH_POLICY));
  const edgeUrl = (await mf.unsafeGetDirectURL("edge-guard")).toString();
  const bareUrl = (await mf.unsafeGetDirectURL("bare")).toString();
  const scripts = {} as Record<MixName, string>;
  for (const name of Object.keys(MIXES) as MixName[]) {
    scripts[name] = join(ROOT, "dist", `bench-${name}.lua`);
    await writeFile(scripts[name], MIXES[name].lua);
  }
  // The RangeIndex publishes its snapshot (ranges and listed addresses) on first use, as it does in a deployment.
  const ns = await mf.getDurableObjectNamespace("RANGE_INDEX", "edge-guard");
  const rangeIndex = ns.get(ns.idFromName(RANGE_INDEX_INSTANCE)) as unknown as RangeIndexRpc;
  await rangeIndex.noteListed([]);
  return { mf, edgeUrl, bareUrl, kv, size, scripts, rangeIndex };
}
