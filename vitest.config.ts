import { availableParallelism } from "node:os";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig, defineProject } from "vitest/config";
import { buildAuxWorker } from "./dev/aux-worker";
import E2eFirstSequencer from "./test/support/sequencer";

type PoolOptions = Exclude<Parameters<typeof cloudflareTest>[0], (...args: never[]) => unknown>;

/** Workers whose tests need the embedded Postgres (started once by test/support/global-postgres.ts). */
// Unit-level Worker tests bind edge-guard's TARPIT to this stub; the real cross-Worker flow is tested in test/e2e/.
// It echoes the trusted headers edge-guard sets (client IP, score, no-hop, site), so tests can see what the tarpit was told.
const TARPIT_STUB = `const echo = (request, name) => request.headers.get(name) ?? "absent";
export default { fetch(request) { return new Response("tarpit stub " + new URL(request.url).pathname, { headers: { "x-stub": "tarpit",
  "x-stub-client-ip": echo(request, "x-edge-guard-client-ip"), "x-stub-score": echo(request, "x-edge-guard-score"), "x-stub-no-hop": echo(request, "x-edge-guard-no-hop"),
  "x-stub-site": echo(request, "x-edge-guard-site"), "x-stub-corpus": echo(request, "x-edge-guard-corpus") } }); } };`;
// Admin's unit tests bind TARPIT to this stub of the tarpit's metrics() RPC (known totals to show).
const TARPIT_METRICS_STUB = `import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint {
  fetch() { return new Response("tarpit stub"); }
  metrics(minutes) { return { since: new Date(Date.now() - minutes * 60000).toISOString(), minutes: [], totals: { heldSeconds: 4242, bytes: 123456 } }; }
}`;

// The real RangeIndex, hosted by an auxiliary Worker named "edge-guard" for the Workers that bind it by script_name.
const RANGE_INDEX_HOST_JS = "test/.build/range-index-host.js";
buildAuxWorker("test/workers/range-index-host.ts", RANGE_INDEX_HOST_JS);
const RANGE_INDEX_HOST = {
  name: "edge-guard",
  modules: true,
  scriptPath: RANGE_INDEX_HOST_JS,
  compatibilityDate: "2026-08-01",
  durableObjects: {
    RANGE_INDEX: { className: "RangeIndex", useSQLite: true },
    CRAWLER_ACCOUNT: { className: "CrawlerAccount", useSQLite: true },
  },
  kvNamespaces: { BLOCKLIST: "edge-guard-blocklist" },
  queueProducers: { REPORTS: "edge-guard-reports" },
};
// fast-check runs per property in the fuzz suites (test/support/fuzz-runs.ts): 0 = each suite's CI default.
const provide = { fuzzRuns: Number(process.env.FUZZ_RUNS ?? "0") || 0 };

/**
 * Test files run at once. vitest's default (cores - 1) is 1 on the 2-core machines we run on: every file in a row, the
 * e2e files' idle time (people pacing in Chromium, no-JS waits, tarpit streams, fault phases) included. Each e2e file
 * has its own stack (free ports, in-memory state, dist/ built once by test/support/global-build.ts), so two overlap.
 * At most four: each e2e file runs a workerd, an embedded Postgres and often a Chromium (bounded load on big machines).
 */
const PARALLEL_FILES = Math.min(4, Math.max(2, availableParallelism() - 1));

const WORKERS = [
  { name: "edge-guard", config: "./wrangler.toml", postgres: false },
  { name: "tarpit", config: "./workers/tarpit/wrangler.toml", postgres: true },
  { name: "escalation", config: "./workers/escalation/wrangler.toml", postgres: true, setup: ["test/support/llm-stand-in.ts"] },
  {
    name: "admin",
    config: "./workers/admin/wrangler.toml",
    postgres: true,
    setup: ["test/support/global-ui.ts", "test/support/stripe-stand-in.ts"],
  },
] as const;

export default defineConfig({
  test: {
    maxWorkers: PARALLEL_FILES,
    sequence: { sequencer: E2eFirstSequencer },
    projects: [
      defineProject({ test: { name: "core", environment: "node", include: ["test/core/**/*.test.ts", "rules/**/*.test.ts"], provide } }),
      defineProject({ test: { name: "dev", environment: "node", include: ["test/dev/**/*.test.ts"], testTimeout: 60_000, provide } }),
      ...WORKERS.map((w) =>
        defineProject({
          plugins: [
            cloudflareTest(async ({ inject }): Promise<PoolOptions> => ({
              wrangler: { configPath: w.config },
              miniflare: w.postgres
                ? {
                    bindings: {
                      DATABASE_URL: inject("databaseUrl"),
                      NEON_LOCAL_PROXY: inject("neonLocalProxy"),
                      ...(w.name === "admin"
                        ? {
                            STRIPE_API_BASE: inject("stripeStandInUrl"),
                            STRIPE_SECRET_KEY: inject("stripeStandInKey"),
                            STRIPE_WEBHOOK_SECRET: inject("stripeStandInWebhookSecret"),
                          }
                        : {}),
                    },
                    workers: [
                      RANGE_INDEX_HOST,
                      ...(w.name === "admin"
                        ? [{ name: "edge-guard-tarpit", modules: true, script: TARPIT_METRICS_STUB, compatibilityDate: "2026-08-01" }]
                        : []),
                    ],
                  }
                : {
                    bindings: {
                      ORIGIN_URL: inject("originUrl"),
                      DEV_CLIENT_OVERRIDES: "on",
                      TOKEN_SECRET: "test-token-secret-0123456789abcdef-0123",
                      SUMMARY_MAX_WAIT_MS: "0",
                    },
                    workers: [{ name: "edge-guard-tarpit", modules: true, script: TARPIT_STUB }],
                  },
            })),
          ],
          test: {
            name: w.name,
            include: [`test/workers/${w.name}/**/*.test.ts`],
            globalSetup: [
              w.postgres ? "test/support/global-postgres.ts" : "test/support/global-origin.ts",
              ...("setup" in w ? w.setup : []),
            ],
            testTimeout: 30_000,
            provide,
            // One embedded Postgres per project, shared by its files (some compare table-wide counts before and
            // after): one file at a time. vitest runs them after the parallel projects (escalation, not isolated,
            // needs a group order of its own for that).
            ...(w.postgres ? { maxWorkers: 1 } : {}),
            ...(w.name === "escalation" ? { isolate: false, sequence: { groupOrder: 1 } } : {}),
          },
        }),
      ),
      defineProject({
        test: {
          name: "e2e",
          environment: "node",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/support/global-build.ts"],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      }),
    ],
  },
});
