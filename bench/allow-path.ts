/**
 * `npm run bench`: edge-guard's allow path against a bare pass-through Worker, in one Miniflare (one workerd), in the
 * same run, driven by wrk over loopback with a full Chrome header set, for two client mixes (repeating visitors, and
 * visitors seen once). Counts operations on the real bindings (edge-guard's dev-only operations endpoint), workerd's
 * CPU time and memory, probes a known quiet client and each non-allow path, runs a hot-/24 load, prices it all with
 * bench/cloudflare-prices.ts, and writes bench/results/allow-path.md and the README's cost table.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ROOT } from "../dev/build";
import { diffOperations, type DevStats, type OperationCounts } from "../core/dev-stats";
import { kvKeys } from "../core/kv-keys";
import { RANGES_REFRESH_MS } from "../core/range-entries";
import { FLUSH_INTERVAL_MS } from "../core/counter-flush";
import { CHROME_HEADERS, DURATION_S, CONNECTIONS, MIXES, ROUNDS, run, startAllowPathStack, wrk, type WrkResult } from "./allow-path-stack";
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
  readonly ops: OperationCounts;
  readonly allowed: number;
  readonly summaries: number;
  readonly summaryBytes: number;
}

async function main(): Promise<void> {
  const { mf, edgeUrl, bareUrl, kv, size, scripts, rangeIndex } = await startAllowPathStack();
  const pid = await workerdPid();
  const stats = async (): Promise<DevStats> => (await (await fetch(new URL("/__edge-guard/operations", edgeUrl))).json()) as DevStats;
  const rssStart = await rssMb(pid);

  // Warm both (isolate start, JIT, caches), then alternate to spread machine noise over both. edge-guard warms past two
  // counter flush intervals: a busy key's first flush creates its ClientLedger (a SQLite database, a file in local
  // workerd), and a few hundred of those at once stalled the first measured round; later flushes are plain calls.
  const warmUntil = Date.now() + 2 * FLUSH_INTERVAL_MS + 1_000;
  while (Date.now() < warmUntil) await wrk(edgeUrl, scripts.repeating);
  await wrk(edgeUrl, scripts.fresh);
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
  const pathProbe = async (
    name: string,
    ipOf: (i: number) => string,
    headers: Record<string, string>,
    warm = false,
  ): Promise<OperationCounts> => {
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
    return Object.fromEntries(Object.entries(d).map(([k, v]) => [k, v / 20])) as unknown as OperationCounts;
  };
  const challengeOps = await pathProbe("c", (i) => `192.0.2.${i + 10}`, {
    ...CHROME_HEADERS,
    "X-Dev-Cf": JSON.stringify({ asn: 16509, asOrganization: "Amazon.com, Inc." }),
  });
  const tarpitOps = await pathProbe("t", (i) => `192.0.2.${i + 40}`, {
    "User-Agent": "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
    Accept: "*/*",
  });
  // As adapters/blocklist-store.ts writes them: the KV entry, then the address noted in the RangeIndex's snapshot.
  for (let i = 0; i < 20; i++)
    await kv.put(kvKeys.ip(`192.0.2.${i + 70}`), JSON.stringify({ action: "block", reason: "bench", source: "operator", at: Date.now() }));
  await rangeIndex.noteListed(Array.from({ length: 20 }, (_, i) => ({ ip: `192.0.2.${i + 70}`, expiresAt: null })));
  await sleep(RANGES_REFRESH_MS + 1_000); // every isolate loads the new snapshot
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
    const sum = (k: keyof OperationCounts) => rs.reduce((a, r) => a + r.ops[k], 0);
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
  const pathOps = (o: OperationCounts, extra: Partial<PathOps> = {}): PathOps => ({
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

  const pathRow = (name: string, o: OperationCounts) =>
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
