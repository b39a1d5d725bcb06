/**
 * `npm run bench`: edge-guard's allow path against a bare pass-through Worker, in one Miniflare (one workerd), in the
 * same run, driven by wrk over loopback with a full Chrome header set, for two client mixes (repeating visitors, and
 * visitors seen once). Counts operations on the real bindings (edge-guard's dev-only operations endpoint), workerd's
 * CPU time and memory, probes a known quiet client and each non-allow path, runs a hot-/24 load, prices it all with
 * bench/cloudflare-prices.ts, and writes bench/results/allow-path.md and the README's cost table.
 */
import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { Log, LogLevel, Miniflare, convertV4MiniflareOptions, type LegacyWorkerOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { BUILD_DIR, ROOT, buildWorker } from "../dev/build";
import { builtModules } from "../dev/stack";
import { diffOperations, type DevStats } from "../core/dev-stats";
import { kvKeys } from "../core/kv-keys";
import { PRICES } from "./cloudflare-prices";
import {
  blended,
  freePlanLimits,
  usdPerMillion,
  DO_ACTIVE_MS_PER_CALL,
  DO_ROWS_WRITTEN_PER_CALL,
  type PathName,
  type PathOps,
  type TrafficMix,
} from "./cost-model";

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

const CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const CHROME_HEADERS: Record<string, string> = {
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
const MIXES = {
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
type MixName = keyof typeof MIXES;

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
  readonly requests: number;
}

async function wrk(url: string, scriptPath: string): Promise<WrkResult> {
  const { stdout } = await run("wrk", ["-t2", `-c${CONNECTIONS}`, `-d${DURATION_S}s`, "--latency", "-s", scriptPath, url], {
    timeout: (DURATION_S + 30) * 1000,
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

type Ops = DevStats["operations"];

/** workerd's process (Miniflare's child): its CPU time (ms) and resident memory (MB). */
async function workerdPid(): Promise<number> {
  const { stdout } = await run("ps", ["-o", "pid=,comm=", "--ppid", String(process.pid)]);
  const line = stdout.split("\n").find((l) => l.includes("workerd"));
  if (line === undefined) throw new Error("workerd process not found");
  return Number(line.trim().split(/\s+/)[0]);
}
async function cpuMs(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]?.split(" ") ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 1/100 s
}
async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Round {
  readonly bare: WrkResult;
  readonly edge: WrkResult;
  readonly bareCpuMsPerRequest: number;
  readonly edgeCpuMsPerRequest: number;
  readonly ops: Ops;
  readonly allowed: number;
  readonly summaries: number;
  readonly summaryBytes: number;
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
  const pid = await workerdPid();
  const kv = await mf.getKVNamespace("BLOCKLIST", "edge-guard");
  await kv.put(kvKeys.policy, JSON.stringify(BENCH_POLICY));
  const edgeUrl = (await mf.unsafeGetDirectURL("edge-guard")).toString();
  const bareUrl = (await mf.unsafeGetDirectURL("bare")).toString();
  const stats = async (): Promise<DevStats> => (await (await fetch(new URL("/__edge-guard/operations", edgeUrl))).json()) as DevStats;
  const scripts = {} as Record<MixName, string>;
  for (const name of Object.keys(MIXES) as MixName[]) {
    scripts[name] = join(ROOT, "dist", `bench-${name}.lua`);
    await writeFile(scripts[name], MIXES[name].lua);
  }
  const rssStart = await rssMb(pid);

  // Warm both (isolate start, JIT, caches), then alternate to spread machine noise over both.
  await wrk(edgeUrl, scripts.repeating);
  await wrk(bareUrl, scripts.repeating);
  const rssWarm = await rssMb(pid);
  const rounds: Record<"repeating" | "fresh", Round[]> = { repeating: [], fresh: [] };
  for (const mix of ["repeating", "fresh"] as const) {
    for (let i = 0; i < ROUNDS; i++) {
      let cpu = await cpuMs(pid);
      const bare = await wrk(bareUrl, scripts[mix]);
      const bareCpu = (await cpuMs(pid)) - cpu;
      const before = await stats();
      cpu = await cpuMs(pid);
      const edge = await wrk(edgeUrl, scripts[mix]);
      const edgeCpu = (await cpuMs(pid)) - cpu;
      const after = await stats();
      rounds[mix].push({
        bare,
        edge,
        bareCpuMsPerRequest: bareCpu / bare.requests,
        edgeCpuMsPerRequest: edgeCpu / edge.requests,
        ops: diffOperations(after.operations, before.operations),
        allowed: after.reports.allowed - before.reports.allowed,
        summaries: after.reports.summaries - before.reports.summaries,
        summaryBytes: after.reports.summaryBytes - before.reports.summaryBytes,
      });
    }
  }
  const rssAfterMixes = await rssMb(pid);

  // Hot key: half the load from one /24, while a quiet client reads pages one at a time beside it.
  // A person: a page, then its stylesheet (a client that never loads one is bot evidence).
  const STYLE = {
    Accept: "text/css,*/*;q=0.1",
    "Sec-Fetch-Mode": "no-cors",
    "Sec-Fetch-Dest": "style",
    "Sec-Fetch-Site": "same-origin",
    "Sec-Fetch-User": "",
  };
  const probe = async (ip: string, n: number, headers: Record<string, string> = CHROME_HEADERS): Promise<number[]> => {
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const asset = i % 2 === 1;
      const h: Record<string, string> = { ...headers, ...(asset ? STYLE : {}), "CF-Connecting-IP": ip };
      if (asset) delete h["Sec-Fetch-User"];
      const r = await fetch(new URL(asset ? `/static/quiet-${i % 5}.css` : `/articles/quiet-${i % 7}`, edgeUrl), { headers: h });
      await r.arrayBuffer();
      times.push(performance.now() - t);
    }
    return times;
  };
  const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const beforeHot = await stats();
  const [hot, quietDuringHot] = await Promise.all([wrk(edgeUrl, scripts.hot), sleep(1000).then(() => probe("203.0.113.77", 40))]);
  const afterHot = await stats();
  const [, quietDuringFresh] = await Promise.all([wrk(edgeUrl, scripts.fresh), sleep(1000).then(() => probe("203.0.113.78", 40))]);
  const afterFresh = await stats();
  const rssAfterHot = await rssMb(pid);

  // A known quiet client after warm-up, alone: wait out the summary timer so earlier traffic's flushes are not counted.
  await sleep(21_000);
  const quietHeaders = { ...CHROME_HEADERS, "Accept-Language": "en-GB,en;q=0.8" }; // a fleet group of its own
  await probe("203.0.113.90", 3, quietHeaders);
  const quiet0 = await stats();
  await probe("203.0.113.90", 50, quietHeaders);
  const quiet1 = await stats();
  const quietOps = diffOperations(quiet1.operations, quiet0.operations);

  // Each non-allow path, 20 requests from fresh addresses: what it costs on the bindings.
  const pathProbe = async (name: string, ipOf: (i: number) => string, headers: Record<string, string>, warm = false): Promise<Ops> => {
    if (warm)
      for (let i = 0; i < 20; i++)
        await (
          await fetch(new URL("/", edgeUrl), { headers: { ...headers, "CF-Connecting-IP": ipOf(i) }, redirect: "manual" })
        ).arrayBuffer();
    await sleep(500);
    const s0 = await stats();
    for (let i = 0; i < 20; i++) {
      const r = await fetch(new URL(`/articles/${name}-${i}`, edgeUrl), {
        headers: { ...headers, "CF-Connecting-IP": ipOf(i) },
        redirect: "manual",
      });
      await r.arrayBuffer();
    }
    await sleep(500); // their waitUntil work (the decision messages)
    const d = diffOperations((await stats()).operations, s0.operations);
    return Object.fromEntries(Object.entries(d).map(([k, v]) => [k, v / 20])) as unknown as Ops;
  };
  const challengeOps = await pathProbe("c", (i) => `192.0.2.${i + 10}`, {
    ...CHROME_HEADERS,
    "X-Dev-Cf": JSON.stringify({ asn: 16509, asOrganization: "Amazon.com, Inc." }),
  });
  const tarpitOps = await pathProbe("t", (i) => `192.0.2.${i + 40}`, {
    "User-Agent": "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
    Accept: "*/*",
  });
  for (let i = 0; i < 20; i++)
    await kv.put(kvKeys.ip(`192.0.2.${i + 70}`), JSON.stringify({ action: "block", reason: "bench", source: "operator", at: Date.now() }));
  // A listed address is refused from its first request (its KV read is awaited): measured from that first request.
  const blockOps = await pathProbe("b", (i) => `192.0.2.${i + 70}`, CHROME_HEADERS);
  const final = await stats();
  const rssEnd = await rssMb(pid);
  await mf.dispose();

  const cidr = await run(process.execPath, [join(ROOT, "node_modules/tsx/dist/cli.mjs"), "bench/cidr.ts"], { cwd: ROOT, timeout: 300_000 });
  const tarpitMd = await readFile(join(ROOT, "bench/results/tarpit.md"), "utf8").catch(() => "");
  const tarpitCpuUs = Number(/page with a client IP[^|]*\|\s*\d+\s*\|\s*([\d,]+) µs/.exec(tarpitMd)?.[1]?.replaceAll(",", "") ?? NaN);

  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const summary = (mix: "repeating" | "fresh") => {
    const rs = rounds[mix];
    const bareRps = mean(rs.map((r) => r.bare.rps));
    const edgeRps = mean(rs.map((r) => r.edge.rps));
    const requests = rs.reduce((a, r) => a + r.edge.requests, 0);
    const sum = (k: keyof Ops) => rs.reduce((a, r) => a + r.ops[k], 0);
    const allowed = rs.reduce((a, r) => a + r.allowed, 0);
    const summaries = rs.reduce((a, r) => a + r.summaries, 0);
    return {
      rs,
      bareRps,
      edgeRps,
      ratio: edgeRps / bareRps,
      pairs: rs.map((r) => r.edge.rps / r.bare.rps),
      addedMs: 1000 / edgeRps - 1000 / bareRps,
      addedCpuMs: mean(rs.map((r) => r.edgeCpuMsPerRequest - r.bareCpuMsPerRequest)),
      edgeCpuMs: mean(rs.map((r) => r.edgeCpuMsPerRequest)),
      requests,
      kvReads: sum("kvReads") / requests,
      doCalls: sum("doCalls") / requests,
      queuePerAllowed: sum("queueMessages") / Math.max(1, allowed),
      allowedShare: allowed / requests,
      summaryBytes: summaries === 0 ? 0 : rs.reduce((a, r) => a + r.summaryBytes, 0) / summaries,
      non2xx: rs.reduce((a, r) => a + r.edge.non2xx, 0),
    };
  };
  const rep = summary("repeating");
  const fresh = summary("fresh");
  const hotOps = diffOperations(afterHot.operations, beforeHot.operations);

  // The cost model: edge-guard's own CPU per request is what workerd spent beyond the bare pass-through's run.
  const allowCpu = Math.max(fresh.addedCpuMs, 0);
  const decisionBytes = 2_500; // a DecisionReport's JSON with a full Chrome header set: one 64 KB chunk
  const pathOps = (o: Ops, extra: Partial<PathOps> = {}): PathOps => ({
    workerRequests: 1,
    cpuMs: allowCpu,
    kvReads: o.kvReads,
    kvWrites: o.kvWrites,
    kvLists: o.kvLists,
    doCalls: o.doCalls,
    queueMessages: o.queueMessages,
    queueMessageBytes: decisionBytes,
    ...extra,
  });
  const perPath: Record<PathName, PathOps> = {
    allow: {
      workerRequests: 1,
      cpuMs: allowCpu,
      kvReads: fresh.kvReads,
      kvWrites: 0,
      kvLists: 0,
      doCalls: fresh.doCalls,
      queueMessages: fresh.queuePerAllowed,
      queueMessageBytes: fresh.summaryBytes,
    },
    challenge: pathOps(challengeOps),
    // The tarpit Worker (a service binding call, not billed as a request): its render CPU and HopCounter call per page.
    tarpit: pathOps(tarpitOps, {
      cpuMs: allowCpu + (Number.isFinite(tarpitCpuUs) ? tarpitCpuUs / 1000 : 6.26),
      doCalls: tarpitOps.doCalls + 1,
    }),
    block: pathOps(blockOps),
  };
  const quietAllow: PathOps = {
    workerRequests: 1,
    cpuMs: allowCpu,
    kvReads: quietOps.kvReads / 50,
    kvWrites: 0,
    kvLists: 0,
    doCalls: quietOps.doCalls / 50,
    queueMessages: rep.queuePerAllowed,
    queueMessageBytes: rep.summaryBytes,
  };
  const MIX: TrafficMix = { allow: 0.95, challenge: 0.02, tarpit: 0.02, block: 0.01 };
  const PER_DAY = 10_000_000;
  const site = blended(MIX, perPath);
  const usd = (x: number) => (x < 0.01 ? x.toFixed(4) : x.toFixed(2));
  const fmt = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : "–");
  const costRow = (name: string, ops: PathOps) => {
    const c = usdPerMillion(ops);
    return `| ${name} | ${fmt(ops.cpuMs, 2)} | ${fmt(ops.kvReads)} | ${fmt(ops.doCalls)} | ${fmt(ops.queueMessages)} | ${usd(c.workers)} | ${usd(c.kv)} | ${usd(c.durableObjects)} | ${usd(c.queues)} | **${usd(c.total)}** |`;
  };
  const siteCost = usdPerMillion(site);
  const perDay = (siteCost.total * PER_DAY) / 1e6;
  const limits = freePlanLimits(site);
  const costTable = [
    `Computed by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} from the operations it counted on the real bindings and the price table in`,
    `[bench/cloudflare-prices.ts](bench/cloudflare-prices.ts) (Cloudflare's published prices, transcribed ${PRICES.date}). Marginal US$ per million requests on the`,
    `Workers Paid plan (the plan's $5/month and its monthly inclusions left out); CPU is workerd's CPU beyond the bare pass-through's in the same run;`,
    `Durable Object duration assumes ${DO_ACTIVE_MS_PER_CALL} ms active and ${DO_ROWS_WRITTEN_PER_CALL} row written per call.`,
    ``,
    `| path (per request) | CPU ms | KV reads | DO calls | queue msgs | Workers $ | KV $ | DO $ | Queues $ | US$ per million |`,
    `| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |`,
    costRow("allow, known quiet client", quietAllow),
    costRow("allow, mostly new clients (bench mix)", perPath.allow),
    costRow("challenge", perPath.challenge),
    costRow("tarpit (edge + labyrinth page)", perPath.tarpit),
    costRow("block", perPath.block),
    costRow(
      `**site mix**: ${MIX.allow * 100}% allow, ${MIX.challenge * 100}% challenge, ${MIX.tarpit * 100}% tarpit, ${MIX.block * 100}% block`,
      site,
    ),
    ``,
    `**A site with 10 M requests a day, 5% of them suspicious** (the mix above, allowed traffic priced as mostly new clients): about`,
    `**US$ ${perDay.toFixed(2)} a day, US$ ${(perDay * 30).toFixed(0)} a month** (+ $${PRICES.paidPlanPerMonth} for the plan; its inclusions — 10 M requests, 30 M CPU ms, 10 M KV reads,`,
    `1 M DO requests, 1 M queue operations a month — lower this). Postgres (Neon) and escalation's own CPU are not in it: escalation`,
    `opens one Postgres session per Queue batch of up to 50 messages.`,
    ``,
    `Where the **Free plan's daily limits** are reached with this mix:`,
    ``,
    `| Free-plan limit | per day | per request (mix) | reached at requests a day |`,
    `| --- | --- | --- | --- |`,
    ...limits.map(
      (l) =>
        `| ${l.limit} | ${l.perDay.toLocaleString("en-US")} | ${fmt(l.perRequest, 4)} | ${Number.isFinite(l.requestsPerDay) ? Math.round(l.requestsPerDay).toLocaleString("en-US") : "never"} |`,
    ),
    ``,
    `The Free plan's 10 ms CPU per invocation: the allow path used ${fmt(allowCpu, 2)} ms of workerd CPU per request here.`,
  ].join("\n");

  const pathRow = (name: string, o: Ops) =>
    `| ${name} | ${fmt(o.kvReads, 2)} | ${fmt(o.kvWrites, 2)} | ${fmt(o.kvLists, 2)} | ${fmt(o.doCalls, 2)} | ${fmt(o.queueMessages, 2)} | ${fmt(o.tarpitCalls, 2)} |`;
  const mixRows = (name: string, m: ReturnType<typeof summary>) => [
    `| bare, ${name} | ${m.rs.map((r) => r.bare.rps.toFixed(0)).join(", ")} | ${m.bareRps.toFixed(0)} | ${mean(m.rs.map((r) => r.bare.p50Ms)).toFixed(2)} | ${mean(m.rs.map((r) => r.bare.p99Ms)).toFixed(2)} | ${fmt(mean(m.rs.map((r) => r.bareCpuMsPerRequest)), 3)} | ${m.rs.reduce((a, r) => a + r.bare.non2xx, 0)} |`,
    `| edge-guard, ${name} | ${m.rs.map((r) => r.edge.rps.toFixed(0)).join(", ")} | ${m.edgeRps.toFixed(0)} | ${mean(m.rs.map((r) => r.edge.p50Ms)).toFixed(2)} | ${mean(m.rs.map((r) => r.edge.p99Ms)).toFixed(2)} | ${fmt(m.edgeCpuMs, 3)} | ${m.non2xx} |`,
  ];
  const lines = [
    `# Allow-path benchmark`,
    ``,
    `Command: \`npm run bench\` (${new Date().toISOString().slice(0, 10)}; ${ROUNDS} rounds × ${DURATION_S} s per mix, wrk -t2 -c${CONNECTIONS}, one Miniflare/workerd,`,
    `loopback, 2-core machine shared by wrk and workerd; a 10 KB origin page served by a Worker in the same workerd).`,
    `Full Chrome header set; each visitor loads a page and a stylesheet. The policy in force is the default with the rate`,
    `signals' weights set to 0 (\`signalWeights\`): every signal is still computed and counted, but a benchmark's request rate`,
    `per address, far above a person's, does not turn the allow path into a challenge. Mixes:`,
    `- **repeating**: ${MIXES.repeating.about};`,
    `- **fresh**: ${MIXES.fresh.about};`,
    `- **hot**: ${MIXES.hot.about}.`,
    ``,
    `| target, mix | rps per round | mean rps | p50 ms | p99 ms | workerd CPU ms / request | non-2xx |`,
    `| --- | --- | --- | --- | --- | --- | --- |`,
    ...mixRows("repeating", rep),
    ...mixRows("fresh", fresh),
    ``,
    `| mix | throughput ratio edge-guard / bare (pairs) | added ms per request (1/rps) | added workerd CPU ms per request | KV reads / request | DO calls / request | queue messages / allowed request | allowed share |`,
    `| --- | --- | --- | --- | --- | --- | --- | --- |`,
    ...(
      [
        ["repeating", rep],
        ["fresh", fresh],
      ] as const
    ).map(
      ([n, m]) =>
        `| ${n} | **${m.ratio.toFixed(3)}** (${m.pairs.map((p) => p.toFixed(2)).join(", ")}) | ${m.addedMs.toFixed(3)} | ${m.addedCpuMs.toFixed(3)} | ${fmt(m.kvReads, 4)} | ${fmt(m.doCalls, 4)} | ${fmt(m.queuePerAllowed, 4)} | ${(m.allowedShare * 100).toFixed(1)}% |`,
    ),
    ``,
    `Goals: ratio ≥ 0.90; ≤ 0.05 queue messages per allowed request. Average summary message: ${(fresh.summaryBytes / 1024).toFixed(1)} KiB (fresh), ${(rep.summaryBytes / 1024).toFixed(1)} KiB (repeating).`,
    ``,
    `**A known quiet client after warm-up** (50 requests one after another, pages and stylesheets, its own fleet group, nothing else running):`,
    `${fmt(quietOps.kvReads / 50, 2)} KV reads, ${fmt(quietOps.doCalls / 50, 2)} DO calls, ${fmt(quietOps.queueMessages / 50, 2)} queue messages per request.`,
    ``,
    `## Operations per request on the other paths (20 requests each, fresh addresses, counted on the bindings)`,
    ``,
    `| path | KV reads | KV writes | KV lists | DO calls | queue messages | tarpit calls |`,
    `| --- | --- | --- | --- | --- | --- | --- |`,
    pathRow("challenge (browser from a hosting network)", challengeOps),
    pathRow("tarpit (GPTBot; the labyrinth is a stub here)", tarpitOps),
    pathRow("block (a listed address that looks like a quiet browser, from its first request)", blockOps),
    ``,
    `## Hot key and memory`,
    ``,
    `Hot run (${MIXES.hot.about}): ${hot.rps.toFixed(0)} rps, p99 ${hot.p99Ms.toFixed(1)} ms, ${hot.non2xx} non-2xx; DO calls ${fmt(hotOps.doCalls / hot.requests, 4)} per request,`,
    `queue messages ${fmt(hotOps.queueMessages / hot.requests, 4)} per request. A quiet client reading 40 pages one at a time beside it: median`,
    `${median(quietDuringHot).toFixed(1)} ms during the hot run, ${median(quietDuringFresh).toFixed(1)} ms beside the same load of fresh addresses only (same run).`,
    ``,
    `| when | workerd RSS MB | counter keys (evicted) | blocklist entries cached | summary clients pending |`,
    `| --- | --- | --- | --- | --- |`,
    `| after start | ${rssStart.toFixed(0)} | | | |`,
    `| after warm-up | ${rssWarm.toFixed(0)} | | | |`,
    `| after the repeating and fresh rounds | ${rssAfterMixes.toFixed(0)} | | | |`,
    `| after the hot run and one more fresh run | ${rssAfterHot.toFixed(0)} | ${afterFresh.counters.keys} (${afterFresh.counters.evicted}) | ${afterFresh.blocklistCached} | ${afterFresh.reports.pendingClients} |`,
    `| at the end | ${rssEnd.toFixed(0)} | ${final.counters.keys} (${final.counters.evicted}) | ${final.blocklistCached} | ${final.reports.pendingClients} |`,
    ``,
    `RSS is the whole workerd process (four Workers, the KV/DO/Queue simulators, V8 heaps): a bound on edge-guard's isolate, not its size.`,
    `Per-isolate caps: counters 20,000 keys, blocklist cache 50,000 entries, summaries 500 clients / 96 KB, honeypot MAC memo 2,000.`,
    ``,
    `## Cost model`,
    ``,
    costTable,
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
  // The README's cost table, between its markers: computed here, never typed by hand.
  const readmePath = join(ROOT, "README.md");
  const readme = await readFile(readmePath, "utf8");
  const begin = "<!-- cost-table:begin (written by npm run bench) -->";
  const end = "<!-- cost-table:end -->";
  const from = readme.indexOf(begin);
  const to = readme.indexOf(end);
  if (from >= 0 && to > from) await writeFile(readmePath, `${readme.slice(0, from + begin.length)}\n${costTable}\n${readme.slice(to)}`);
  else console.warn("README.md has no cost-table markers: table not written");
  console.log(lines.join("\n"));
}

await main();
