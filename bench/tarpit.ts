/**
 * `npm run bench:tarpit`: what the tarpit costs us and what it costs them. Writes bench/results/tarpit.md.
 *
 * 1. Render: CPU per page in Node (process.cpuUsage over many pages) for the Factbook chain; fake-asset bytes/s.
 * 2. Trainer: tokens/s into the embedded Postgres (PGlite in-process, and through the neon driver + proxy, the
 *    CLI's path) and, if DEBIAN_PG_URL is set, into Debian's PostgreSQL through the same driver + proxy.
 * 3. workerd, steady state: the built tarpit in Miniflare; workerd's CPU per page from /proc and Postgres sessions
 *    per page (the proxy counts them) once the chain is loaded.
 * 4. workerd, cost asymmetry: production pacing, CLIENTS concurrent clients for HOLD_SECONDS; seconds the clients
 *    were held ÷ CPU seconds workerd spent meanwhile (everything in that process: DOs, SQLite, timers, sockets).
 */
import { writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { Pool, neonConfig } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-serverless";
import { migrate } from "drizzle-orm/neon-serverless/migrator";
import ws from "ws";
import { fakeAssetFor, fakeAssetPieces } from "../core/fake-assets";
import { renderLabyrinthPage } from "../core/labyrinth";
import { chainFromTransitions, transitionsOf } from "../core/markov";
import { TARPIT_CLIENT_IP_HEADER } from "../core/tarpit-headers";
import { readFactbookCorpus, readFactbookProse } from "../dev/factbook-corpus";
import { countCorpus, storeMarkovModel, type SqlSession } from "../dev/markov-store";
import { openLocalDatabase, startLocalPostgres } from "../dev/postgres";
import { startSerialWsProxy } from "../dev/serial-ws-proxy";
import { buildTarpit, startTarpit } from "./tarpit-workerd";

const PAGES = Number(process.env.BENCH_PAGES ?? 500);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 60);
const HOLD_SECONDS = Number(process.env.BENCH_HOLD_SECONDS ?? 45);
const PRODUCTION_PACING = { STREAM_CHUNK_BYTES: "512", STREAM_DELAY_MS: "2000", STREAM_MAX_SECONDS: "30" }; // wrangler.toml's
const out: string[] = [];
const say = (line = ""): void => {
  console.log(line);
  out.push(line);
};
const fmt = (n: number, digits = 0): string => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

function cpuMs(fn: () => void): number {
  const before = process.cpuUsage();
  fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

function renderBench(): void {
  const counted = countCorpus([readFactbookCorpus()]);
  const chain = chainFromTransitions(counted.order, transitionsOf(counted.counts));
  const encoder = new TextEncoder();
  let bytes = 0;
  for (let i = 0; i < 200; i++) renderLabyrinthPage(chain, `/archive/warm${i}/x`); // JIT warm-up
  const ms = cpuMs(() => {
    for (let i = 0; i < 5000; i++)
      bytes += encoder.encode(renderLabyrinthPage(chain, `/archive/${i.toString(16).padStart(8, "0")}/page`, { fakeAssets: true })).length;
  });
  const asset = fakeAssetFor("/archive/files/0badf00d/survey-2019.tar.gz", "", 32 << 20);
  let assetBytes = 0;
  const assetMs = cpuMs(() => {
    for (const piece of asset ? fakeAssetPieces(asset) : []) assetBytes += piece.length;
  });
  say("## 1. Rendering, in Node (V8, the same engine as workerd)");
  say();
  say(`| what | figure |`);
  say(`| --- | --- |`);
  say(`| CPU per labyrinth page (Factbook chain, ${fmt(counted.tokens)} tokens; 5,000 pages) | ${fmt((ms * 1000) / 5000)} µs |`);
  say(`| average page size | ${fmt(bytes / 5000 / 1024, 1)} KiB |`);
  say(`| fake .tar.gz generation (CRC-32 included) | ${fmt(assetBytes / 1048576 / (assetMs / 1000), 0)} MiB/s CPU |`);
  say();
}

async function trainerBench(): Promise<void> {
  const text = readFactbookProse();
  const targets: Array<{ name: string; run: () => Promise<{ seconds: number; tokens: number; rows: number }> }> = [];
  const timed = async (session: SqlSession, corpus: string) => {
    const started = performance.now();
    const counted = countCorpus([text]);
    const stored = await storeMarkovModel(session, corpus, counted);
    return { seconds: (performance.now() - started) / 1000, tokens: counted.tokens, rows: stored.transitions };
  };
  targets.push({
    name: "embedded Postgres (PGlite 18, in-process, no network)",
    run: async () => {
      const pg = await openLocalDatabase(undefined);
      try {
        return await timed(pg, "bench");
      } finally {
        await pg.close();
      }
    },
  });
  targets.push({
    name: "embedded Postgres via neon driver + WebSocket proxy (the CLI's path with `npm run dev` up)",
    run: async () => {
      const postgres = await startLocalPostgres({ defaultCorpus: false });
      try {
        return await viaNeon(postgres.databaseUrl, postgres.neonLocalProxy, (session) => timed(session, "bench"));
      } finally {
        await postgres.stop();
      }
    },
  });
  const debian = process.env.DEBIAN_PG_URL;
  if (debian) {
    targets.push({
      name: "Debian PostgreSQL (server over TCP) via neon driver + WebSocket proxy",
      run: async () => {
        const url = new URL(debian);
        const proxy = await startSerialWsProxy({
          host: "127.0.0.1",
          port: 0,
          target: { host: url.hostname, port: Number(url.port || 5432) },
          stuckAfterMs: 60_000,
        });
        try {
          return await viaNeon(debian, `127.0.0.1:${proxy.port}`, async (session) => timed(session, "bench"), true);
        } finally {
          await proxy.close();
        }
      },
    });
  }
  say("## 2. Trainer throughput (count + store, all Factbook prose)");
  say();
  say("| target | tokens | transitions | seconds | tokens/s |");
  say("| --- | --- | --- | --- | --- |");
  for (const target of targets) {
    const r = await target.run();
    say(`| ${target.name} | ${fmt(r.tokens)} | ${fmt(r.rows)} | ${fmt(r.seconds, 2)} | ${fmt(r.tokens / r.seconds)} |`);
  }
  if (!debian) say("| Debian PostgreSQL | skipped: set DEBIAN_PG_URL=postgresql://user:pass@127.0.0.1:5432/db | | | |");
  say();
}

async function viaNeon<T>(databaseUrl: string, proxy: string, fn: (session: SqlSession) => Promise<T>, runMigrations = false): Promise<T> {
  neonConfig.webSocketConstructor = ws;
  neonConfig.wsProxy = (host, port) => `${proxy}/v2?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineConnect = false;
  neonConfig.pipelineTLS = false;
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    if (runMigrations) await migrate(drizzle({ client: pool }), { migrationsFolder: new URL("../migrations", import.meta.url).pathname });
    const client = await pool.connect();
    try {
      return await fn({ query: async <R>(q: string, params?: unknown[]) => ({ rows: (await client.query(q, params)).rows as R[] }) });
    } finally {
      client.release();
    }
  } finally {
    await pool.end();
  }
}

async function steadyStateBench(): Promise<void> {
  const postgres = await startLocalPostgres({});
  const tarpit = await startTarpit({
    DATABASE_URL: postgres.databaseUrl,
    NEON_LOCAL_PROXY: postgres.neonLocalProxy,
    STREAM_DELAY_MS: "0",
    HOP_LIMIT: "1000000",
  });
  try {
    const page = async (i: number, ip?: string): Promise<number> => {
      const headers: Record<string, string> = ip === undefined ? {} : { [TARPIT_CLIENT_IP_HEADER]: ip };
      const response = await fetch(`${tarpit.url}/archive/${i.toString(16).padStart(8, "0")}/steady`, { headers });
      return (await response.arrayBuffer()).byteLength;
    };
    for (let i = 0; i < 20; i++) await page(i, `203.0.113.${i}`); // loads the chain, warms the JIT
    const rows: string[] = [];
    for (const [label, ip] of [
      ["page, no client IP (render + stream only)", undefined],
      ["page with a client IP (+ HopCounter RPC, SQLite write)", "ip"],
    ] as const) {
      const sessions = postgres.sessions();
      const cpu = tarpit.cpuSeconds();
      const started = performance.now();
      let bytes = 0;
      for (let i = 0; i < PAGES; i++) bytes += await page(1000 + i, ip === undefined ? undefined : `198.18.${i % 250}.${1 + (i % 7)}`);
      const wall = (performance.now() - started) / PAGES;
      const cpuPerPage = ((tarpit.cpuSeconds() - cpu) * 1e6) / PAGES;
      rows.push(
        `| ${label} | ${PAGES} | ${fmt(cpuPerPage)} µs | ${fmt(wall, 2)} ms | ${fmt((postgres.sessions() - sessions) / PAGES, 3)} | ${fmt(bytes / PAGES / 1024, 1)} KiB |`,
      );
    }
    say("## 3. Steady state in workerd (Miniflare, the built Worker, chain already loaded)");
    say();
    say("| request | pages | workerd CPU per page | wall per page (sequential) | Postgres sessions per page | page size |");
    say("| --- | --- | --- | --- | --- | --- |");
    for (const row of rows) say(row);
    say();
    say(`Postgres sessions during start-up and warm-up: ${postgres.sessions()} (the chain load: one session per isolate).`);
    say();
  } finally {
    await tarpit.stop();
    await postgres.stop();
  }
}

async function asymmetryBench(): Promise<void> {
  const postgres = await startLocalPostgres({});
  const tarpit = await startTarpit({
    DATABASE_URL: postgres.databaseUrl,
    NEON_LOCAL_PROXY: postgres.neonLocalProxy,
    ...PRODUCTION_PACING,
    HOP_LIMIT: "1000000",
    FAKE_ASSETS: "on",
  });
  try {
    await (await fetch(`${tarpit.url}/archive/00000000/warm`)).arrayBuffer(); // chain loaded before the clock starts
    const idleStart = tarpit.cpuSeconds();
    await new Promise((r) => setTimeout(r, 5000));
    const idlePerSecond = (tarpit.cpuSeconds() - idleStart) / 5;
    const cpuStart = tarpit.cpuSeconds();
    const started = performance.now();
    const deadline = started + HOLD_SECONDS * 1000;
    let held = 0;
    let pages = 0;
    let bytes = 0;
    let chunks = 0;
    const client = async (c: number): Promise<void> => {
      for (let i = 0; performance.now() < deadline; i++) {
        const t0 = performance.now();
        const response = await fetch(`${tarpit.url}/archive/${((c << 16) | i).toString(16).padStart(8, "0")}/hold`, {
          headers: { [TARPIT_CLIENT_IP_HEADER]: `198.18.1.${c + 1}` },
        });
        const reader = response.body?.getReader();
        for (;;) {
          const chunk = await reader?.read();
          if (chunk === undefined || chunk.done) break;
          bytes += chunk.value.length;
          chunks++;
        }
        held += (performance.now() - t0) / 1000;
        pages++;
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
    const wall = (performance.now() - started) / 1000;
    const cpu = tarpit.cpuSeconds() - cpuStart;
    say(`## 4. Cost asymmetry in workerd (production pacing: 512 B every 2000 ms, cap 30 s; ${CLIENTS} clients, ${HOLD_SECONDS} s)`);
    say();
    say("| figure | value |");
    say("| --- | --- |");
    say(`| pages served (each read to the end) | ${fmt(pages)} |`);
    say(`| bytes / chunks received | ${fmt(bytes)} / ${fmt(chunks)} |`);
    say(`| seconds clients were held (sum over clients) | ${fmt(held, 1)} s (wall ${fmt(wall, 1)} s) |`);
    say(`| workerd CPU during the run | ${fmt(cpu, 3)} s (idle baseline ${fmt(idlePerSecond * 1000, 1)} ms/s) |`);
    say(
      `| **held seconds ÷ CPU seconds** | **${fmt(held / cpu)}** (idle subtracted: ${fmt(held / Math.max(cpu - idlePerSecond * wall, 1e-3))}) |`,
    );
    say(`| CPU per page, per chunk (whole process) | ${fmt((cpu * 1e6) / pages)} µs, ${fmt((cpu * 1e6) / chunks)} µs |`);
    say();
  } finally {
    await tarpit.stop();
    await postgres.stop();
  }
}

const started = performance.now();
say("# Tarpit benchmark");
say();
say(
  `\`npm run bench:tarpit\` on ${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? "?"} × ${availableParallelism()}, Node ${process.version}.`,
);
say("Miniflare's Durable Objects and KV are local simulators (slower than production); everything runs on one machine.");
say();
renderBench();
await trainerBench();
console.log("building the tarpit…");
await buildTarpit();
await steadyStateBench();
await asymmetryBench();
say(`Bench took ${fmt((performance.now() - started) / 1000)} s.`);
writeFileSync(new URL("results/tarpit.md", import.meta.url), `${out.join("\n")}\n`);
console.log("wrote bench/results/tarpit.md");
