import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { experimental_readRawConfig } from "wrangler";
import { afterAll, describe, expect, it } from "vitest";
import { buildUi } from "../../dev/build-ui";
import { configProblems, deployOrder } from "../../scripts/deploy/checks";
import type { WorkerConfig } from "../../scripts/deploy/configs";
import { deploy, SMOKE_ATTEMPTS, type DeployIo } from "../../scripts/deploy/deploy";
import { dryRun } from "../../scripts/deploy/dry-run";
import { loadProject, SITES_EXAMPLE_FILE, type Project } from "../../scripts/deploy/project";
import { processRunner, type Command, type CommandResult } from "../../scripts/deploy/runner";
import { SECRETS } from "../../scripts/deploy/secrets";
import { parseSites } from "../../scripts/deploy/sites";
import { setKvId, setRoutes } from "../../scripts/deploy/toml-edit";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const temps: string[] = [];
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A throwaway project root with the given files (path → text). */
function projectWith(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "deploy-test-"));
  temps.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** A Worker config built by hand, for the order and agreement rules. */
function worker(name: string, parts: Partial<WorkerConfig> = {}): WorkerConfig {
  return {
    name,
    configPath: `workers/${name}/wrangler.toml`,
    dir: `workers/${name}`,
    main: `workers/${name}/index.ts`,
    kv: [],
    queueProducers: [],
    queueConsumers: [],
    services: [],
    durableObjects: [],
    migratedClasses: [],
    migrationTags: [],
    crons: [],
    routes: [],
    exports: [],
    ...parts,
  };
}

/**
 * The order rules, checked on whatever the configs say (so the test holds as bindings are added): a Durable Object's
 * host before every Worker binding it by script_name; a service target before its caller, or a placeholder for it planned first.
 */
function expectCalleesFirst(project: Project, order: readonly string[], plan: readonly string[]): void {
  const at = (name: string) => order.indexOf(name);
  const planAt = (pattern: RegExp) => plan.findIndex((l) => pattern.test(l));
  for (const c of project.configs) {
    for (const d of c.durableObjects)
      if (d.scriptName !== null) expect(at(d.scriptName), `${d.scriptName} hosts ${d.className} for ${c.name}`).toBeLessThan(at(c.name));
    for (const s of c.services) {
      if (at(s.service) < at(c.name)) continue;
      expect(planAt(new RegExp(`placeholder Worker ${s.service} `)), `a placeholder for ${s.service} before ${c.name}`).toBeGreaterThan(-1);
      expect(planAt(new RegExp(`placeholder Worker ${s.service} `))).toBeLessThan(planAt(new RegExp(`deploy ${c.name} \\(`)));
    }
  }
}

describe("npm run deploy -- --dry-run", () => {
  it(
    "prints the plan with callees before callers, builds all four Workers, and applies every migration to a fresh Postgres",
    { timeout: 120_000 },
    async () => {
      const project = loadProject(ROOT, SITES_EXAMPLE_FILE);
      const lines: string[] = [];
      const report = await dryRun(
        project,
        processRunner(ROOT),
        async () => void (await buildUi()),
        (line) => lines.push(line),
      );
      expect(report.problems).toEqual([]);
      const deploys = report.plan.filter((l) => / deploy /.test(l)).map((l) => /deploy (\S+)/.exec(l)?.[1] ?? "");
      expect([...deploys].sort()).toEqual(["edge-guard", "edge-guard-admin", "edge-guard-escalation", "edge-guard-tarpit"]);
      expectCalleesFirst(project, deploys, report.plan);
      expect(report.plan.join("\n")).toMatch(
        /KV namespace for binding BLOCKLIST: find or create "edge-guard-blocklist", write its id into wrangler\.toml, workers\/admin/,
      );
      expect(report.plan.join("\n")).toContain("routes of edge-guard (wrangler.toml): example.com/* in zone example.com");
      expect(report.builds.map((b) => b.name)).toEqual(deploys);
      expect(report.builds.every((b) => /KiB \/ gzip: /.test(b.size))).toBe(true);
      // Each build ran from its Worker's own folder.
      const folderOf = new Map(project.configs.map((c) => [c.name, c.dir]));
      expect(lines.filter((l) => l.includes("--dry-run --outdir")).map((l) => /\(in (\S+)\)/.exec(l)?.[1] ?? ".")).toEqual(
        deploys.map((name) => folderOf.get(name)),
      );
      const journal = (JSON.parse(readFileSync(join(ROOT, "migrations/meta/_journal.json"), "utf8")) as { entries: unknown[] }).entries
        .length;
      expect(report.migrations).toEqual({ applied: journal, journal });
    },
  );

  it("refuses configs that disagree on a KV id, naming both configs", () => {
    const root = projectWith({
      "wrangler.toml": 'name = "front"\nmain = "index.ts"\n[[kv_namespaces]]\nbinding = "BLOCKLIST"\nid = "blocklist-a"\n',
      "index.ts": "export default {};\n",
      "workers/back/wrangler.toml": 'name = "back"\nmain = "index.ts"\n[[kv_namespaces]]\nbinding = "BLOCKLIST"\nid = "blocklist-b"\n',
      "workers/back/index.ts": "export default {};\n",
      "edge-guard.sites.json": JSON.stringify({
        worker: "front",
        admin: "back",
        sites: [{ name: "blog", zone: "example.com", hostnames: ["example.com"] }],
      }),
    });
    expect(() => loadProject(root, "edge-guard.sites.json")).toThrow(
      /KV binding BLOCKLIST has different ids: "blocklist-a" in wrangler\.toml, "blocklist-b" in workers\/back\/wrangler\.toml/,
    );
  });

  it("refuses a service binding to no Worker, an unconsumed queue, and a Durable Object class its host does not export", () => {
    const problems = configProblems([
      worker("front", {
        services: [{ binding: "TARPIT", service: "tarpot" }],
        queueProducers: [{ binding: "REPORTS", queue: "reports" }],
        durableObjects: [{ binding: "RANGES", className: "RangeIndex", scriptName: "back" }],
      }),
      worker("back", { queueConsumers: [{ queue: "report", deadLetterQueue: null }], migratedClasses: ["RangeIndex"] }),
    ]);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/service binding TARPIT points at Worker "tarpot", which no config defines/),
        expect.stringMatching(/REPORTS produces to queue "reports", which no Worker consumes \(consumers: report\)/),
        expect.stringMatching(/consumes queue "report", which no Worker produces to/),
        expect.stringMatching(/needs class RangeIndex, which back's main module \(workers\/back\/index\.ts\) does not export/),
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it("orders a Durable Object host first and cuts a service cycle with a placeholder (the RangeIndex shape)", () => {
    const order = deployOrder([
      worker("edge-guard", {
        exports: ["RangeIndex"],
        migratedClasses: ["RangeIndex"],
        services: [{ binding: "TARPIT", service: "tarpit" }],
        queueProducers: [{ binding: "REPORTS", queue: "reports" }],
      }),
      worker("admin", {
        services: [{ binding: "TARPIT", service: "tarpit" }],
        durableObjects: [{ binding: "RANGE_INDEX", className: "RangeIndex", scriptName: "edge-guard" }],
      }),
      worker("escalation", {
        queueConsumers: [{ queue: "reports", deadLetterQueue: null }],
        durableObjects: [{ binding: "RANGE_INDEX", className: "RangeIndex", scriptName: "edge-guard" }],
      }),
      worker("tarpit", {
        queueProducers: [{ binding: "REPORTS", queue: "reports" }],
        durableObjects: [{ binding: "RANGE_INDEX", className: "RangeIndex", scriptName: "edge-guard" }],
      }),
    ]);
    expect(order).toEqual({
      ok: true,
      value: {
        order: ["edge-guard", "escalation", "tarpit", "admin"],
        placeholders: [expect.objectContaining({ from: "edge-guard", to: "tarpit", kind: "service" })],
      },
    });
  });

  it("refuses a cycle of Durable Object bindings, naming the bindings", () => {
    const order = deployOrder([
      worker("a", { durableObjects: [{ binding: "B_DO", className: "B", scriptName: "b" }] }),
      worker("b", { durableObjects: [{ binding: "A_DO", className: "A", scriptName: "a" }] }),
    ]);
    expect(order).toEqual({
      ok: false,
      error: expect.stringMatching(/cycle.*a binds B_DO \(class B\) of b; b binds A_DO \(class A\) of a/),
    });
  });
});

describe("the site config", () => {
  it.each([
    ["malformed JSON", '{"sites": [', /sites\.json is not valid JSON/],
    ["a missing zone", JSON.stringify({ sites: [{ name: "blog", hostnames: ["blog.example.com"] }] }), /sites\[0\]\.zone/],
    [
      "one hostname in two sites",
      JSON.stringify({
        sites: [
          { name: "blog", zone: "example.com", hostnames: ["example.com"] },
          { name: "docs", zone: "example.com", hostnames: ["example.com"] },
        ],
      }),
      /hostname example\.com overlaps: listed in site blog and in site docs/,
    ],
    [
      "a wildcard covering another site",
      JSON.stringify({
        sites: [
          { name: "all", zone: "example.com", hostnames: ["*.example.com"] },
          { name: "docs", zone: "example.com", hostnames: ["docs.example.com"] },
        ],
      }),
      /hostnames overlap: \*\.example\.com \(site all\) and docs\.example\.com \(site docs\)/,
    ],
    [
      "a hostname outside its zone",
      JSON.stringify({ sites: [{ name: "blog", zone: "example.com", hostnames: ["blog.example.org"] }] }),
      /hostname blog\.example\.org is not in its zone example\.com/,
    ],
  ])("refuses %s with the problem named", (_what, text, message) => {
    const parsed = parseSites(text, "edge-guard.sites.json");
    expect(parsed).toEqual({ ok: false, error: expect.stringMatching(message) });
  });

  it("makes npm run deploy exit non-zero with the overlap named", async () => {
    const file = join(
      projectWith({
        "sites.json": JSON.stringify({
          sites: [
            { name: "a", zone: "example.com", hostnames: ["x.example.com"] },
            { name: "b", zone: "example.com", hostnames: ["x.example.com"] },
          ],
        }),
      }),
      "sites.json",
    );
    const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        join(ROOT, "node_modules/.bin/tsx"),
        ["scripts/deploy/main.ts", "--dry-run", "--sites", file],
        { cwd: ROOT },
        (error, _stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code), stderr }),
      );
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/hostname x\.example\.com overlaps: listed in site a and in site b/);
  });
});

describe("the real deploy, against a recording wrangler", () => {
  const KV_ID = "0123456789abcdef0123456789abcdef";
  const DATABASE_URL = "postgresql://owner:s3cret-db-password@ep-test.example.neon.tech/neondb";

  /** Answers as wrangler would for an empty account: no namespaces, one of the two queues, no Workers yet except admin. */
  function recordingIo(http: DeployIo["http"]) {
    const calls: Command[] = [];
    const files = new Map<string, string>();
    const logs: string[] = [];
    const sleeps: number[] = [];
    const answer = (command: Command): CommandResult => {
      const args = command.args.join(" ");
      if (args === "kv namespace list")
        return { code: 0, stdout: '[\n  { "id": "ffffffffffffffffffffffffffffffff", "title": "someone-else" }\n]', stderr: "" };
      if (args.startsWith("kv namespace create"))
        return {
          code: 0,
          stdout: `🌀 Creating namespace\n✨ Success!\n[[kv_namespaces]]\nbinding = "edge_guard_blocklist"\nid = "${KV_ID}"\n`,
          stderr: "",
        };
      if (args === "queues list")
        return {
          code: 0,
          stdout:
            "┌──────┬────────────────────┐\n│ id   │ name               │\n│ q1   │ edge-guard-reports │\n└──────┴────────────────────┘\n",
          stderr: "",
        };
      if (args.startsWith("secret list"))
        return command.cwd === "workers/admin"
          ? { code: 0, stdout: '[{"name":"SESSION_SECRET","type":"secret_text"}]', stderr: "" }
          : { code: 1, stdout: "", stderr: "workers.api.error.script_not_found [code: 10007]" };
      if (args === "deploy -c wrangler.toml" && command.cwd === "workers/admin")
        return { code: 0, stdout: "Uploaded edge-guard-admin\nhttps://edge-guard-admin.acme.workers.dev\n", stderr: "" };
      return { code: 0, stdout: "", stderr: "" };
    };
    const io: DeployIo = {
      runner: async (command) => {
        calls.push(command);
        return answer(command);
      },
      log: (line) => logs.push(line),
      env: { DATABASE_URL, LLM_API_KEY: "sk-test-llm-key-123" },
      ask: async () => null,
      readFile: (path) => files.get(path) ?? readFileSync(join(ROOT, path), "utf8"),
      writeFile: (path, text) => void files.set(path, text),
      prepare: async () => {},
      http,
      sleep: async () => void sleeps.push(1),
    };
    return { io, calls, files, logs, sleeps };
  }

  const honestEdge: DeployIo["http"] = async (url, headers) => {
    if (url.endsWith("/healthz")) return { status: 200, body: '{"ok":true}' };
    return headers["user-agent"]?.includes("GPTBot") ? { status: 200, body: "<p>labyrinth</p>" } : { status: 200, body: "<h1>origin</h1>" };
  };

  it("creates what is missing, writes the ids and routes, sets secrets on stdin, migrates, and deploys callees first", async () => {
    const { io, calls, files, logs } = recordingIo(honestEdge);
    const project = loadProject(ROOT, SITES_EXAMPLE_FILE);
    await deploy(project, io);
    const shown = calls.map((c) => `${c.cwd}: ${c.tool} ${c.args.join(" ")}`);
    expect(shown.slice(0, 5)).toEqual([
      ".: wrangler kv namespace list",
      ".: wrangler kv namespace create edge-guard-blocklist",
      ".: wrangler queues list",
      ".: wrangler queues create edge-guard-reports-dlq",
      ".: drizzle-kit migrate",
    ]);
    expect(calls[4]?.env).toEqual({ DATABASE_URL });
    // The sites document the edge resolves hosts with, written once the Workers are up and before the smoke check.
    const sites = calls.find((c) => c.args.slice(0, 4).join(" ") === "kv key put sites:directory");
    expect(JSON.parse(sites?.args[4] ?? "null")).toEqual({
      v: 1,
      sites: [
        { id: "blog", name: "blog", hostnames: ["example.com", "www.example.com"] },
        { id: "docs", name: "docs", hostnames: ["docs.example.org"] },
      ],
    });
    expect(sites?.args.slice(5)).toEqual(["--namespace-id", KV_ID, "--remote"]);
    expect(shown.findIndex((s) => s.includes("kv key put"))).toBeGreaterThan(shown.findLastIndex((s) => s.includes("deploy -c")));
    expect(shown.filter((s) => s.includes("secret list"))).toHaveLength(4);
    const puts = calls.filter((c) => c.args[0] === "secret" && c.args[1] === "put").map((c) => `${c.cwd} ${c.args[2]}`);
    expect(puts.sort()).toEqual([
      ". TOKEN_SECRET",
      "workers/admin DATABASE_URL",
      "workers/admin METRICS_TOKEN",
      "workers/admin PEER_SIGNING_JWK",
      "workers/escalation DATABASE_URL",
      "workers/escalation LLM_API_KEY",
      "workers/tarpit DATABASE_URL",
      "workers/tarpit LABYRINTH_SECRET",
    ]); // admin's SESSION_SECRET was already set, so it is kept; optional ones only when the environment has them
    expect(shown.findLastIndex((s) => s.includes("secret put"))).toBeLessThan(shown.findIndex((s) => s.includes("deploy -c")));
    const dbPut = calls.find((c) => c.args.join(" ") === "secret put DATABASE_URL -c wrangler.toml");
    expect(dbPut?.stdin).toBe(DATABASE_URL);
    expect(calls.find((c) => c.args.includes("TOKEN_SECRET"))?.stdin).toMatch(/^[\w-]{43}$/);
    const deploys = calls.filter((c) => c.args[0] === "deploy").map((c) => `${c.cwd} ${c.args.join(" ")}`);
    const folderOf = new Map(project.configs.map((c) => [c.name, c.dir]));
    expect(deploys).toEqual(project.order.order.map((name) => `${folderOf.get(name)} deploy -c wrangler.toml`)); // each from its folder, in the planned order
    expect(shown.indexOf(".: drizzle-kit migrate")).toBeLessThan(shown.findIndex((s) => s.includes("deploy -c")));
    // The id reached every config that binds BLOCKLIST, comments kept; the routes reached edge-guard's config.
    for (const config of [
      "wrangler.toml",
      "workers/admin/wrangler.toml",
      "workers/escalation/wrangler.toml",
      "workers/tarpit/wrangler.toml",
    ]) {
      expect(files.get(config)).toContain(`id = "${KV_ID}"`);
    }
    expect(files.get("wrangler.toml")).toContain(
      'routes = [{ pattern = "example.com/*", zone_name = "example.com" }, { pattern = "www.example.com/*", zone_name = "example.com" }, { pattern = "docs.example.org/*", zone_name = "example.org" }]',
    );
    expect(files.get("wrangler.toml")).toContain("# edge-guard: the Worker on the zone's route.");
    // No secret value in any argument or log line.
    const secretValues = [DATABASE_URL, "sk-test-llm-key-123", ...calls.flatMap((c) => (c.stdin ? [c.stdin] : []))];
    for (const value of secretValues) {
      expect(calls.some((c) => c.args.some((a) => a.includes(value)))).toBe(false);
      expect(logs.some((l) => l.includes(value))).toBe(false);
    }
  });

  it("fails the deploy when GPTBot still gets the same page as a browser after every attempt", async () => {
    const { io, sleeps } = recordingIo(async (url) =>
      url.endsWith("/healthz") ? { status: 200, body: '{"ok":true}' } : { status: 200, body: "<h1>origin</h1>" },
    );
    await expect(deploy(loadProject(ROOT, SITES_EXAMPLE_FILE), io)).rejects.toThrow(
      /smoke check failed:[\s\S]*site blog: GPTBot got the same page as a browser at https:\/\/example\.com\//,
    );
    expect(sleeps).toHaveLength(SMOKE_ATTEMPTS - 1);
  });

  it("passes the smoke check once the new routes answer", async () => {
    let attempts = 0;
    const { io, sleeps } = recordingIo(async (url, headers) => {
      if (url.endsWith("/healthz")) return { status: 200, body: '{"ok":true}' };
      if (url === "https://example.com/" && headers["user-agent"]?.includes("Chrome")) attempts++;
      return attempts < 3 ? { status: 522, body: "" } : honestEdge(url, headers);
    });
    await deploy(loadProject(ROOT, SITES_EXAMPLE_FILE), io);
    expect(sleeps).toHaveLength(2);
  });

  it("stops when a secret listing fails for another reason than a missing Worker (generated secrets would replace live ones)", async () => {
    const { io, calls } = recordingIo(honestEdge);
    const failing: DeployIo = {
      ...io,
      runner: async (c) =>
        c.args[1] === "list" && c.args[0] === "secret"
          ? { code: 1, stdout: "", stderr: "Authentication error [code: 10000]" }
          : io.runner(c),
    };
    await expect(deploy(loadProject(ROOT, SITES_EXAMPLE_FILE), failing)).rejects.toThrow(
      /listing the secrets of edge-guard\S* failed[\s\S]*Authentication error/,
    );
    expect(calls.some((c) => c.args[0] === "secret" && c.args[1] === "put")).toBe(false);
  });

  it("deploys a RangeIndex-shaped project host first, with a placeholder for the service target it needs", async () => {
    const root = projectWith({
      "edge-guard.sites.json": JSON.stringify({
        adminUrl: "https://admin.example.com",
        sites: [{ name: "blog", zone: "example.com", hostnames: ["example.com"] }],
      }),
    });
    const rangeIndex = { binding: "RANGE_INDEX", className: "RangeIndex", scriptName: "edge-guard" };
    const configs = [
      worker("edge-guard", {
        configPath: "wrangler.toml",
        dir: ".",
        exports: ["RangeIndex"],
        migratedClasses: ["RangeIndex"],
        services: [{ binding: "TARPIT", service: "edge-guard-tarpit" }],
        queueProducers: [{ binding: "REPORTS", queue: "reports" }],
      }),
      worker("edge-guard-admin", { services: [{ binding: "TARPIT", service: "edge-guard-tarpit" }], durableObjects: [rangeIndex] }),
      worker("edge-guard-escalation", { queueConsumers: [{ queue: "reports", deadLetterQueue: null }], durableObjects: [rangeIndex] }),
      worker("edge-guard-tarpit", { queueProducers: [{ binding: "REPORTS", queue: "reports" }], durableObjects: [rangeIndex] }),
    ];
    const { io, calls, files } = recordingIo(honestEdge);
    files.set("wrangler.toml", 'name = "edge-guard"\n');
    const runner: DeployIo["runner"] = async (c) =>
      c.args.join(" ").startsWith("secret list") && c.cwd === "workers/edge-guard-tarpit"
        ? (calls.push(c), { code: 1, stdout: "", stderr: "✘ [ERROR] This Worker does not exist on your account. [code: 10007]" })
        : io.runner(c);
    await deploy(loadProject(root, "edge-guard.sites.json", configs, []), { ...io, runner });
    const deploys = calls
      .filter((c) => c.args[0] === "deploy")
      .map((c) => (c.args[1] === "index.mjs" ? `placeholder ${c.args[3]}` : c.cwd));
    expect(deploys).toEqual([
      "placeholder edge-guard-tarpit",
      ".",
      "workers/edge-guard-escalation",
      "workers/edge-guard-tarpit",
      "workers/edge-guard-admin",
    ]);
    const placeholder = calls.find((c) => c.args[1] === "index.mjs");
    expect(placeholder?.cwd.startsWith(tmpdir())).toBe(true); // no wrangler.toml above it for wrangler to pick up
    expect(placeholder?.args).toEqual([
      "deploy",
      "index.mjs",
      "--name",
      "edge-guard-tarpit",
      "--compatibility-date",
      "2026-08-01",
      "--no-bundle",
    ]);
  });

  it("takes a queue that `queues create` says exists (listed on a later page) as found", async () => {
    const { io, logs } = recordingIo(honestEdge);
    const paged: DeployIo = {
      ...io,
      runner: async (c) =>
        c.args[0] === "queues" && c.args[1] === "create"
          ? { code: 1, stdout: "", stderr: "A queue with this name already exists [code: 11009]" }
          : io.runner(c),
    };
    await deploy(loadProject(ROOT, SITES_EXAMPLE_FILE), paged);
    expect(logs).toContain("  edge-guard-reports-dlq (exists)");
  });

  it("stops before deploying when a required secret cannot be had", async () => {
    const { io, calls } = recordingIo(honestEdge);
    await expect(deploy(loadProject(ROOT, SITES_EXAMPLE_FILE), { ...io, env: {} })).rejects.toThrow(/DATABASE_URL is needed/);
    expect(calls.some((c) => c.args[0] === "deploy")).toBe(false);
  });
});

describe("deploy helpers", () => {
  it("names only secrets the Workers' env files declare", () => {
    const dirs = new Map([
      ["edge-guard", "workers/edge-guard"],
      ["edge-guard-tarpit", "workers/tarpit"],
      ["edge-guard-escalation", "workers/escalation"],
      ["edge-guard-admin", "workers/admin"],
    ]);
    for (const spec of SECRETS) {
      for (const w of spec.workers) {
        const dir = join(ROOT, dirs.get(w) ?? "missing");
        const envFiles = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith("env.ts"));
        const declared = envFiles.some((f) => new RegExp(`readonly ${spec.name}\\?: string`).test(readFileSync(join(dir, f), "utf8")));
        expect(declared, `${spec.name} on ${w}`).toBe(true);
      }
    }
  });

  it("edits a wrangler.toml so wrangler reads the new id and routes, keeping comments", () => {
    const root = projectWith({ "wrangler.toml": readFileSync(join(ROOT, "wrangler.toml"), "utf8") });
    const file = join(root, "wrangler.toml");
    let text = setKvId(readFileSync(file, "utf8"), "BLOCKLIST", "0123456789abcdef0123456789abcdef");
    text = setRoutes(text, [{ pattern: "a.example.com/*", zone_name: "example.com" }]);
    text = setRoutes(text, [{ pattern: "b.example.com/*", zone_name: "example.com" }]); // replaces, not appends
    writeFileSync(file, text);
    const raw = experimental_readRawConfig({ config: file }).rawConfig as {
      kv_namespaces: { id: string }[];
      routes: unknown[];
      vars: Record<string, string>;
    };
    expect(raw.kv_namespaces[0]?.id).toBe("0123456789abcdef0123456789abcdef");
    expect(raw.routes).toEqual([{ pattern: "b.example.com/*", zone_name: "example.com" }]);
    expect(raw.vars["ORIGIN_URL"]).toBe("");
    expect(text).toContain("# Where allowed requests go.");
  });
});
