/**
 * `npx tsx bench/profile.ts [mix]`: a CPU profile of edge-guard's allow path inside workerd, through the inspector, while
 * wrk drives the bench's mix (fresh by default) for BENCH_SECONDS. Prints the functions with the most self time
 * (summed over the profile, per function and file) and writes dist/edge-guard.cpuprofile (open it in Chrome DevTools).
 * A tool for finding where the time goes, not a measurement to compare runs by (the profiler itself costs time).
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import WebSocket from "ws";
import { startAllowPathStack, wrk, type MixName } from "./allow-path-stack";
import { ROOT } from "../dev/build";

const mix = (process.argv[2] ?? "fresh") as MixName;
const inspectorPort = 9339;
const stack = await startAllowPathStack({ inspectorPort });
try {
  await wrk(stack.edgeUrl, stack.scripts[mix]); // warm-up
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json()) as {
    id: string;
    title: string;
    webSocketDebuggerUrl: string;
  }[];
  const target =
    targets.find((t) => t.title.includes("edge-guard") && !t.title.includes("tarpit")) ?? targets.find((t) => t.id.includes("edge-guard"));
  if (target === undefined) throw new Error(`no edge-guard inspector target in ${JSON.stringify(targets.map((t) => t.title))}`);
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  let id = 0;
  const pending = new Map<number, (v: unknown) => void>();
  ws.on("message", (data) => {
    const msg = JSON.parse(String(data)) as { id?: number; result?: unknown };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
  });
  const send = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve) => {
      pending.set(++id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: 200 });
  await send("Profiler.start");
  const result = await wrk(stack.edgeUrl, stack.scripts[mix]);
  const { profile } = (await send("Profiler.stop")) as { profile: Profile };
  ws.close();
  await writeFile(join(ROOT, "dist/edge-guard.cpuprofile"), JSON.stringify(profile));
  report(profile, result.rps);
} finally {
  await stack.mf.dispose();
}

interface Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

function report(profile: Profile, rps: number): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((sample, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    all += dt;
    const node = byId.get(sample);
    if (node === undefined) return;
    const name = (n: (typeof profile.nodes)[number]) =>
      `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.split("/").pop()}:${n.callFrame.lineNumber + 1}`;
    self.set(name(node), (self.get(name(node)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = sample; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (n === undefined) break;
      const key = name(n);
      if (seen.has(key)) continue;
      seen.add(key);
      total.set(key, (total.get(key) ?? 0) + dt);
    }
  });
  const top = (m: Map<string, number>, k: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([f, t]) => `${((100 * t) / all).toFixed(1).padStart(5)}%  ${f}`);
  console.log(`mix ${mix}: ${rps.toFixed(0)} rps under the profiler; ${(all / 1e6).toFixed(1)} s sampled`);
  console.log("\nself time:\n" + top(self, 40).join("\n"));
  console.log("\ntotal time (inclusive):\n" + top(total, 50).join("\n"));
}
