import { readFile } from "node:fs/promises";
import { run, startAllowPathStack, wrk } from "./allow-path-stack";
async function workerdPid(): Promise<number> {
  const { stdout } = await run("ps", ["-o", "pid=,comm=", "--ppid", String(process.pid)]);
  const line = stdout.split("\n").find((l) => l.includes("workerd"));
  return Number(line!.trim().split(/\s+/)[0]);
}
async function cpuMs(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]?.split(" ") ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}
const mix = (process.argv[2] ?? "repeating") as "repeating" | "fresh";
const stack = await startAllowPathStack();
const pid = await workerdPid();
await wrk(stack.edgeUrl, stack.scripts[mix]);
await wrk(stack.bareUrl, stack.scripts[mix]);
const out: string[] = [];
for (let i = 0; i < Number(process.env.Q_ROUNDS ?? 3); i++) {
  for (const [name, url] of [["bare", stack.bareUrl], ["edge", stack.edgeUrl]] as const) {
    const c = await cpuMs(pid);
    const r = await wrk(url, stack.scripts[mix]);
    const d = (await cpuMs(pid)) - c;
    out.push(`${name} rps ${r.rps.toFixed(0)} cpu/req ${(d / r.requests).toFixed(3)} req ${r.requests} non2xx ${r.non2xx} p99 ${r.p99Ms}`);
  }
}
console.log(out.join("\n"));
await stack.mf.dispose();
