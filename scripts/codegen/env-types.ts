// Generates each Worker's binding types with `wrangler types` (workers/<name>/worker-configuration.d.ts), or with
// --check fails when a generated file no longer matches its wrangler.toml. Each Worker's hand-written env.ts is then
// held to the generated bindings by a type check of its own (workers/<name>/env-check.ts, `npm run typecheck`):
// every binding the config declares must be in env.ts with a compatible type, and env.ts may add only the secrets
// it names. The generated files declare globals (Cloudflare.Env, module patterns), so each lives in its own
// small TypeScript program (workers/<name>/tsconfig.env.json), never in the main one.
// Usage: npm run types:env            (after changing a wrangler.toml)
//        npm run types:env -- --check (in npm test)
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

/** Each Worker: its config, the configs of Workers it calls over RPC (typed service bindings), and the interface name. */
export const WORKER_TYPES = [
  { name: "edge-guard", configs: ["wrangler.toml"], iface: "EdgeGuardBindings" },
  // edge-guard's config too where a Worker binds its RangeIndex (script_name), so the namespace is typed by the class.
  { name: "tarpit", configs: ["workers/tarpit/wrangler.toml", "wrangler.toml"], iface: "TarpitBindings" },
  { name: "escalation", configs: ["workers/escalation/wrangler.toml", "wrangler.toml"], iface: "EscalationBindings" },
  { name: "admin", configs: ["workers/admin/wrangler.toml", "workers/tarpit/wrangler.toml", "wrangler.toml"], iface: "AdminBindings" },
] as const;

const check = process.argv.includes("--check");
let stale = 0;
for (const w of WORKER_TYPES) {
  const out = `workers/${w.name}/worker-configuration.d.ts`;
  const args = [
    "wrangler",
    "types",
    ...w.configs.flatMap((c) => ["-c", c]),
    "--include-runtime=false",
    "--strict-vars=false",
    `--env-interface=${w.iface}`,
    out,
  ];
  try {
    execFileSync("npx", check ? [...args, "--check"] : args, {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    });
    console.log(`${check ? "up to date" : "written"}: ${out}`);
  } catch (error) {
    const e = error as { stdout?: Buffer; stderr?: Buffer };
    stale++;
    console.error(
      `${out}: ${check ? "out of date with its wrangler.toml; run npm run types:env" : "wrangler types failed"}\n${e.stdout?.toString() ?? ""}${e.stderr?.toString() ?? ""}`,
    );
  }
}
if (stale > 0) process.exit(1);
