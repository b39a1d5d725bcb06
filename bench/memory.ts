/**
 * `npx tsx bench/memory.ts`: where workerd's memory goes under the allow-path bench's load. Measures, in one workerd:
 * the edge-guard isolate's JS heap (inspector `Runtime.getHeapUsage`) against the process RSS, after a fresh-client
 * load; then the RSS one more ClientLedger Durable Object instance costs (N instances created over RPC, nothing
 * else running); then whether idle time gives any of it back. The bare pass-through's load runs first, alone.
 */
import { readFile } from "node:fs/promises";
import WebSocket from "ws";
import { run, startAllowPathStack, wrk } from "./allow-path-stack";

const inspectorPort = 9340;
const N = Number(process.env.MEMORY_DO_INSTANCES ?? 1000);
const stack = await startAllowPathStack({ inspectorPort });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function workerdPid(): Promise<number> {
  const { stdout } = await run("ps", ["-o", "pid=,comm=", "--ppid", String(process.pid)]);
  const line = stdout.split("\n").find((l) => l.includes("workerd"));
  if (line === undefined) throw new Error("workerd process not found");
  return Number(line.trim().split(/\s+/)[0]);
}
async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}
/** SQLite files of Durable Objects under workerd's storage directory: one per instance that stored anything. */
async function doFiles(pid: number): Promise<number> {
  const { stdout } = await run("ls", ["-l", `/proc/${pid}/fd`]).catch(() => ({ stdout: "" }));
  return stdout.split("\n").filter((l) => l.includes(".sqlite") && !l.includes("-wal") && !l.includes("-shm")).length;
}

async function heapMb(): Promise<{ used: number; total: number }> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json()) as {
    title: string;
    id: string;
    webSocketDebuggerUrl: string;
  }[];
  const target =
    targets.find((t) => t.title.includes("edge-guard") && !t.title.includes("tarpit")) ?? targets.find((t) => t.id.includes("edge-guard"));
  if (target === undefined) throw new Error("no edge-guard inspector target");
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  const result = await new Promise<{ usedSize: number; totalSize: number }>((resolve) => {
    ws.on("message", (data) => {
      const msg = JSON.parse(String(data)) as { id?: number; result?: { usedSize: number; totalSize: number } };
      if (msg.id === 1 && msg.result) resolve(msg.result);
    });
    ws.send(JSON.stringify({ id: 1, method: "Runtime.getHeapUsage" }));
  });
  ws.close();
  return { used: result.usedSize / 2 ** 20, total: result.totalSize / 2 ** 20 };
}

try {
  const pid = await workerdPid();
  const row = async (when: string) => {
    const heap = await heapMb();
    console.log(
      `| ${when} | ${(await rssMb(pid)).toFixed(0)} | ${heap.used.toFixed(1)} / ${heap.total.toFixed(1)} | ${await doFiles(pid)} |`,
    );
  };
  console.log("| when | workerd RSS MB | edge-guard isolate JS heap MB (used / total) | open DO SQLite files |");
  console.log("| --- | --- | --- | --- |");
  await row("after start");
  // The bare pass-through alone first: what the runtime grows by with no edge-guard code, KV, DO or queue in play.
  for (let i = 1; i <= 2; i++) {
    await wrk(stack.bareUrl, stack.scripts.fresh);
    await row(`after bare pass-through load ${i} (8 s, edge-guard idle)`);
  }
  for (let i = 1; i <= 3; i++) {
    await wrk(stack.edgeUrl, stack.scripts.fresh);
    await row(`after fresh load ${i} (8 s)`);
  }
  await wrk(stack.edgeUrl, stack.scripts.hot);
  await row("after the hot-/24 load (8 s)");
  const before = await rssMb(pid);
  const ns = await stack.mf.getDurableObjectNamespace("CLIENT_LEDGER", "edge-guard");
  const now = Date.now();
  for (let i = 0; i < N; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, N - i) }, (_, j) => {
        const stub = ns.get(ns.idFromName(`probe:${i + j}`)) as unknown as { add(at: number, d: object): Promise<unknown> };
        return stub.add(now, { req: 1 });
      }),
    );
  }
  await row(`after ${N} more ClientLedger instances (one add each, over RPC)`);
  console.log(`\nRSS per ClientLedger instance: ${((((await rssMb(pid)) - before) * 1024) / N).toFixed(0)} KB`);
  await sleep(40_000);
  await row("after 40 s idle");
} finally {
  await stack.mf.dispose();
}
