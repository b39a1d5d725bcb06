// The one door to the outside for a deploy: every wrangler (and drizzle-kit) call goes through a Runner, so the
// real sequence can be tested against a recording one. Secret values travel on stdin, never in argv or logs.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve as resolvePath } from "node:path";

/** One command. `cwd` is relative to the project root (or absolute); `stdin` and `env` may hold secrets and are never printed. */
export interface Command {
  readonly tool: "wrangler" | "drizzle-kit";
  readonly args: readonly string[];
  readonly cwd: string;
  readonly stdin?: string;
  readonly env?: Readonly<Record<string, string>>;
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export type Runner = (command: Command) => Promise<CommandResult>;

/** How a command is shown to the operator: tool, folder and arguments; stdin and env only as a note. */
export function describeCommand(command: Command): string {
  const where = command.cwd === "." ? "" : `(in ${command.cwd}) `;
  const extra = [
    command.stdin !== undefined ? "value on stdin" : "",
    command.env ? `env ${Object.keys(command.env).join(", ")}` : "",
  ].filter(Boolean);
  return `${where}${command.tool} ${command.args.join(" ")}${extra.length > 0 ? `  [${extra.join("; ")}]` : ""}`;
}

const BINARIES: Record<Command["tool"], string> = {
  wrangler: "node_modules/wrangler/bin/wrangler.js",
  "drizzle-kit": "node_modules/drizzle-kit/bin.cjs",
};

/** Runs commands for real: the project's own wrangler / drizzle-kit under the project's Node 22 (wrangler refuses older), output captured. */
export function processRunner(root: string): Runner {
  const projectNode = join(root, "node_modules/.bin/node");
  const node = existsSync(projectNode) ? projectNode : process.execPath;
  return (command) =>
    new Promise((resolve, reject) => {
      const child = spawn(node, [join(root, BINARIES[command.tool]), ...command.args], {
        cwd: resolvePath(root, command.cwd), // relative to the root, or absolute (a placeholder outside the project)
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", FORCE_COLOR: "0", ...command.env },
        stdio: ["pipe", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
      child.stdin.end(command.stdin ?? "");
    });
}
