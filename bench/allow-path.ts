/**
 * `npm run bench`: edge-guard's allow path against a bare pass-through Worker, in one Miniflare (one workerd),
 * in the same run, driven by wrk over loopback with a full Chrome header set. Reports throughput and latency
 * of both and their ratio, the blocklist (CIDR) lookup cost at scale, and edge-guard's bundle size; writes
 * bench/results/allow-path.md.
 */
import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { Log, LogLevel, Miniflare, convertV4MiniflareOptions, type LegacyWorkerOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { BUILD_DIR, ROOT, buildWorker } from "../dev/build";
import { builtModules } from "../dev/stack";

const run = promisify(execFile);
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONNECTIONS = 32;

// A 10 KB HTML page, the origin both Workers front. It runs in the same workerd, so it costs both the same.
const ORIGIN = `const page = "<!doctype html><html><head><title>bench</title></head><body>" + "<p>lorem ipsum dolor sit amet</p>".repeat(300) + "</body></html>";
export default { fetch() { return new Response(page, { headers: { "content-type": "text/html; charset=utf-8" } }); } };`;
const BARE = `export default { async fetch(request, env) {
  const url = new URL(request.url); const upstream = await fetch(new URL(url.pathname + url.search, env.ORIGIN_URL), request);
  return new Response(upstream.body, upstream); } };`;
const TARPIT_STUB = `export default { fetch() { return new Response("tarpit"); } };`;

// wrk script: a full Chrome header set, and 256 client addresses in the benchmarking range 198.18.0.0/15
// (RFC 2544) taking turns: returning visitors, as most of a site's traffic is. Each visitor loads one subresource
// (a stylesheet) per page, as a browser does: clients that never load any are bot evidence for their fleet group,
// and that path is not the allow path.
const WRK_LUA = `
local n = 0
request = function()
  n = n + 1
  local c = math.floor(n / 2) % 256
  local ip = string.format("198.18.%d.%d", c % 16, math.floor(c / 16) + 1)
  wrk.headers["CF-Connecting-IP"] = ip
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
wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
wrk.headers["Accept"] = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8"
wrk.headers["Accept-Language"] = "en-US,en;q=0.9"
wrk.headers["Accept-Encoding"] = "gzip, deflate, br, zstd"
wrk.headers["Sec-Ch-Ua"] = '"Chromium";v="131", "Not_A Brand";v="24", "Google Chrome";v="131"'
wrk.headers["Sec-Ch-Ua-Mobile"] = "?0"
wrk.headers["Sec-Ch-Ua-Platform"] = '"Linux"'
wrk.headers["Sec-Fetch-Site"] = "none"
wrk.headers["Sec-Fetch-Mode"] = "navigate"
wrk.headers["Sec-Fetch-User"] = "?1"
wrk.headers["Sec-Fetch-Dest"] = "document"
wrk.headers["Upgrade-Insecure-Requests"] = "1"
`;

/** The default policy, with the rate signals weighed 0 (see the results file). */
const BENCH_POLICY = {
  version: 1,
  signalWeights: { "rate-ip": 0, "rate-ip-burst": 0, "rate-ip-sustained": 0, "rate-prefix": 0, "rate-fingerprint": 0, "rate-asn": 0 },
};

interface WrkResult {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
}

async function wrk(url: string, scriptPath: string): Promise<WrkResult> {
  const { stdout } = await run("wrk", ["-t2", `-c${CONNECTIONS}`, `-d${DURATION_S}s`, "--latency", "-s", scriptPath, url], { timeout: (DURATION_S + 30) * 1000 });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? NaN);
  const ms = (label: string) => {
    const m = new RegExp(`${label}%\\s+([\\d.]+)(us|ms|s)`).exec(stdout);
    if (!m) return NaN;
    const value = Number(m[1]);
    return m[2] === "us" ? value / 1000 : m[2] === "s" ? value * 1000 : value;
  };
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  return { rps, p50Ms: ms("50"), p99Ms: ms("99"), non2xx };
}

/** A free loopback port (the OS picks one; it is released at once for workerd to take). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function main(): Promise<void> {
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
      log: new Log(LogLevel.ERROR),
      cf: false,
      workers: [
        { name: "origin", modules: true, script: ORIGIN, compatibilityDate: "2026-08-01", unsafeDirectSockets: [{ host, port: originPort }] },
        { name: "edge-guard-tarpit", modules: true, script: TARPIT_STUB, compatibilityDate: "2026-08-01" },
        {
          ...edgeBindings,
          name: "edge-guard",
          modules: builtModules(edgeDir),
          modulesRoot: edgeDir,
          bindings: { ...(edgeBindings.bindings as Record<string, unknown>), DEV_CLIENT_OVERRIDES: "on", ORIGIN_URL: originUrl },
          unsafeDirectSockets: [{ host, port: 0 }],
        } as LegacyWorkerOptions,
        { name: "bare", modules: true, script: BARE, compatibilityDate: "2026-08-01", bindings: { ORIGIN_URL: originUrl }, unsafeDirectSockets: [{ host, port: 0 }] },
      ],
    }),
  );
  await mf.ready;
  const kv = await mf.getKVNamespace("BLOCKLIST", "edge-guard");
  await kv.put("policy:active", JSON.stringify(BENCH_POLICY));
  const edgeUrl = (await mf.unsafeGetDirectURL("edge-guard")).toString();
  const bareUrl = (await mf.unsafeGetDirectURL("bare")).toString();
  const scriptPath = join(ROOT, "dist", "bench-chrome.lua");
  await writeFile(scriptPath, WRK_LUA);

  // Warm both (isolate start, JIT, caches), then alternate to spread machine noise over both.
  await wrk(edgeUrl, scriptPath);
  await wrk(bareUrl, scriptPath);
  const bare: WrkResult[] = [];
  const edge: WrkResult[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    bare.push(await wrk(bareUrl, scriptPath));
    edge.push(await wrk(edgeUrl, scriptPath));
  }
  await mf.dispose();

  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const bareRps = mean(bare.map((r) => r.rps));
  const edgeRps = mean(edge.map((r) => r.rps));
  const ratio = edgeRps / bareRps;
  const cidr = await run(process.execPath, [join(ROOT, "node_modules/tsx/dist/cli.mjs"), "bench/cidr.ts"], { cwd: ROOT, timeout: 300_000 });
  const lines = [
    `# Allow-path benchmark`,
    ``,
    `Command: \`npm run bench\` (${new Date().toISOString().slice(0, 10)}; ${ROUNDS} rounds × ${DURATION_S} s, wrk -t2 -c${CONNECTIONS}, one Miniflare/workerd,`,
    `loopback, 2-core machine shared by wrk and workerd; a 10 KB origin page served by a Worker in the same workerd).`,
    `256 clients in 198.18.0.0/15 take turns with a full Chrome header set. The policy in force is the default with
the rate signals' weights set to 0 (\`signalWeights\`): every signal is still computed and counted, but a
benchmark's request rate per address, far above a person's, does not turn the allow path into a challenge.`,
    ``,
    `| target | rps per round | mean rps | p50 ms | p99 ms | non-2xx |`,
    `| --- | --- | --- | --- | --- | --- |`,
    `| bare pass-through Worker | ${bare.map((r) => r.rps.toFixed(0)).join(", ")} | ${bareRps.toFixed(0)} | ${mean(bare.map((r) => r.p50Ms)).toFixed(2)} | ${mean(bare.map((r) => r.p99Ms)).toFixed(2)} | ${bare.reduce((a, r) => a + r.non2xx, 0)} |`,
    `| edge-guard (allow path) | ${edge.map((r) => r.rps.toFixed(0)).join(", ")} | ${edgeRps.toFixed(0)} | ${mean(edge.map((r) => r.p50Ms)).toFixed(2)} | ${mean(edge.map((r) => r.p99Ms)).toFixed(2)} | ${edge.reduce((a, r) => a + r.non2xx, 0)} |`,
    ``,
    `**Throughput ratio edge-guard / bare: ${ratio.toFixed(3)}** (goal ≥ 0.90).`,
    ``,
    `edge-guard bundle (wrangler deploy --dry-run): ${size}.`,
    ``,
    `## Blocklist lookups (\`npx tsx bench/cidr.ts\`)`,
    ``,
    "```",
    cidr.stdout.trim(),
    "```",
    ``,
  ];
  await mkdir(join(ROOT, "bench/results"), { recursive: true });
  await writeFile(join(ROOT, "bench/results/allow-path.md"), lines.join("\n"));
  console.log(lines.join("\n"));
}

await main();
