import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig, defineProject } from "vitest/config";

type PoolOptions = Exclude<Parameters<typeof cloudflareTest>[0], (...args: never[]) => unknown>;

/** Workers whose tests need the embedded Postgres (started once by test/support/global-postgres.ts). */
// Unit-level Worker tests bind edge-guard's TARPIT to this stub; the real cross-Worker flow is tested in test/e2e/.
// It echoes the trusted no-hop header edge-guard sets, so tests can see what the tarpit was told.
const TARPIT_STUB = `export default { fetch(request) { return new Response("tarpit stub " + new URL(request.url).pathname, { headers: { "x-stub": "tarpit", "x-stub-no-hop": request.headers.get("x-edge-guard-no-hop") ?? "absent" } }); } };`;
// Admin's unit tests bind TARPIT to this stub of the tarpit's metrics() RPC (known totals to show).
const TARPIT_METRICS_STUB = `import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint {
  fetch() { return new Response("tarpit stub"); }
  metrics(minutes) { return { since: new Date(Date.now() - minutes * 60000).toISOString(), minutes: [], totals: { heldSeconds: 4242, bytes: 123456 } }; }
}`;

const WORKERS = [
  { name: "edge-guard", config: "./wrangler.toml", postgres: false },
  { name: "tarpit", config: "./workers/tarpit/wrangler.toml", postgres: true },
  { name: "escalation", config: "./workers/escalation/wrangler.toml", postgres: true, setup: ["test/support/llm-stand-in.ts"] },
  { name: "admin", config: "./workers/admin/wrangler.toml", postgres: true },
] as const;

export default defineConfig({
  test: {
    projects: [
      defineProject({ test: { name: "core", environment: "node", include: ["test/core/**/*.test.ts"] } }),
      defineProject({ test: { name: "dev", environment: "node", include: ["test/dev/**/*.test.ts"], testTimeout: 60_000 } }),
      ...WORKERS.map((w) =>
        defineProject({
          plugins: [
            cloudflareTest(async ({ inject }): Promise<PoolOptions> => ({
              wrangler: { configPath: w.config },
              miniflare: w.postgres
                ? {
                    bindings: { DATABASE_URL: inject("databaseUrl"), NEON_LOCAL_PROXY: inject("neonLocalProxy") },
                    ...(w.name === "admin" ? { workers: [{ name: "edge-guard-tarpit", modules: true, script: TARPIT_METRICS_STUB, compatibilityDate: "2026-08-01" }] } : {}),
                  }
                : {
                    bindings: { ORIGIN_URL: inject("originUrl"), DEV_CLIENT_OVERRIDES: "on", TOKEN_SECRET: "test-token-secret-0123456789abcdef-0123", SUMMARY_MAX_WAIT_MS: "0" },
                    workers: [{ name: "edge-guard-tarpit", modules: true, script: TARPIT_STUB }],
                  },
            })),
          ],
          test: {
            name: w.name,
            include: [`test/workers/${w.name}/**/*.test.ts`],
            globalSetup: [w.postgres ? "test/support/global-postgres.ts" : "test/support/global-origin.ts", ...("setup" in w ? w.setup : [])],
            testTimeout: 30_000,
            ...(w.name === "escalation" ? { isolate: false } : {}),
          },
        }),
      ),
      defineProject({
        test: { name: "e2e", environment: "node", include: ["test/e2e/**/*.test.ts"], testTimeout: 180_000, hookTimeout: 180_000, fileParallelism: false },
      }),
    ],
  },
});
