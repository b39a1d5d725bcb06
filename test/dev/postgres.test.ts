import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Pool, neonConfig } from "@neondatabase/serverless";
import ws, { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endpointFileOf, startLocalPostgres, type LocalPostgres } from "../../dev/postgres";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TINY = join(ROOT, "test/fixtures/markov/tiny.txt");
const TINY_TEXT = readFileSync(TINY, "utf8");
const JOURNAL = JSON.parse(readFileSync(join(ROOT, "migrations/meta/_journal.json"), "utf8")) as { entries: unknown[] };

/** A neon Pool through the instance's proxy, configured as adapters/db/client.ts does in local mode. */
function poolFor(postgres: LocalPostgres): Pool {
  neonConfig.webSocketConstructor = ws;
  neonConfig.wsProxy = (host, port) => `${postgres.neonLocalProxy}/v2?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineConnect = false;
  neonConfig.pipelineTLS = false;
  return new Pool({ connectionString: postgres.databaseUrl, max: 1 });
}

async function query<R>(postgres: LocalPostgres, text: string, params: unknown[] = []): Promise<R[]> {
  const pool = poolFor(postgres);
  try {
    return (await pool.query(text, params)).rows as R[];
  } finally {
    await pool.end();
  }
}

async function activeModel(postgres: LocalPostgres, corpus: string): Promise<{ id: number; tokens: number; rows: number } | undefined> {
  const rows = await query<{ id: number; tokens: number; rows: number }>(
    postgres,
    `SELECT m.id, m.tokens, (SELECT count(*)::int FROM markov_transitions t WHERE t.model_id = m.id) AS rows
       FROM markov_active a JOIN markov_models m ON m.id = a.model_id WHERE a.corpus = $1`,
    [corpus],
  );
  return rows[0];
}

function train(postgres: LocalPostgres, args: string[]): Promise<{ code: number; output: string }> {
  const tsx = join(ROOT, "node_modules/tsx/dist/cli.mjs");
  const env = { ...process.env, DATABASE_URL: postgres.databaseUrl, NEON_LOCAL_PROXY: postgres.neonLocalProxy };
  return new Promise((resolve) => {
    execFile(process.execPath, [tsx, join(ROOT, "scripts/model/train-markov.ts"), ...args], { env, cwd: ROOT }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, output: stdout + stderr });
    });
  });
}

describe("startLocalPostgres", () => {
  let postgres: LocalPostgres;
  let scratch: string;
  beforeAll(async () => {
    postgres = await startLocalPostgres({ port: 0, defaultCorpus: TINY_TEXT, stuckSessionMs: 500 });
    scratch = mkdtempSync(join(tmpdir(), "edge-guard-pg-"));
  }, 60_000); // PGlite's first start takes 4–10 s on a busy 2-core machine
  afterAll(async () => {
    await postgres.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("applies the migrations and trains the default corpus", async () => {
    expect(postgres.neonLocalProxy).toMatch(/^127\.0\.0\.1:\d+$/);
    const applied = await query<{ n: number }>(postgres, "SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations");
    expect(applied[0]?.n).toBe(JOURNAL.entries.length);
    const model = await activeModel(postgres, "default");
    expect(model?.rows).toBeGreaterThan(50);
  });

  it("serialises concurrent sessions: every client sees its own transaction, and pool.end() returns", async () => {
    const client = async (i: number): Promise<{ echo: number; mine: number }> => {
      const pool = poolFor(postgres);
      const c = await pool.connect();
      try {
        await c.query("BEGIN");
        for (let row = 0; row < 3; row++) {
          await c.query(
            `INSERT INTO decisions (report_id, at, source, ip, method, path, user_agent, edge_action, edge_score, reasons, verdict)
             VALUES ($1, now(), 'test', '192.0.2.1', 'GET', '/', 'ua', 'allow', 0, '[]', 'human')`,
            [`concurrent-${i}-${row}`],
          );
        }
        const mine = await c.query<{ n: number }>("SELECT count(*)::int AS n FROM decisions WHERE report_id LIKE $1", [
          `concurrent-${i}-%`,
        ]);
        const echo = await c.query<{ v: number }>("SELECT $1::int AS v", [i]);
        await c.query("COMMIT");
        return { echo: echo.rows[0]?.v ?? -1, mine: mine.rows[0]?.n ?? -1 };
      } finally {
        c.release();
        await pool.end();
      }
    };
    // No clock assertion: sessions that never got their turn would hang, and the test's own timeout fails it.
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => client(i)));
    expect(results).toEqual(Array.from({ length: 6 }, (_, i) => ({ echo: i, mine: 3 })));
    const total = await query<{ n: number }>(postgres, "SELECT count(*)::int AS n FROM decisions WHERE report_id LIKE 'concurrent-%'");
    expect(total[0]?.n).toBe(18);
  });

  it("closes a session that stays silent while others wait", async () => {
    const stuck = new WebSocket(`ws://${postgres.neonLocalProxy}/v2?address=127.0.0.1:5432`);
    await new Promise((resolve, reject) => stuck.once("open", resolve).once("error", reject));
    const closed = new Promise((resolve) => stuck.once("close", resolve));
    const started = performance.now();
    const rows = await query<{ one: number }>(postgres, "SELECT 1 AS one");
    expect(rows).toEqual([{ one: 1 }]);
    await closed;
    expect(performance.now() - started).toBeGreaterThanOrEqual(400);
  });

  it("trains a corpus file through the proxy and replaces the previous model", async () => {
    const first = await train(postgres, [TINY, "--corpus", "tiny"]);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toMatch(/tokens\/s/);
    const before = await activeModel(postgres, "tiny");
    expect(before?.rows).toBeGreaterThan(50);
    const second = await train(postgres, [TINY, "--corpus", "tiny", "--order", "3"]);
    expect(second.code, second.output).toBe(0);
    const after = await activeModel(postgres, "tiny");
    expect(after?.id).not.toBe(before?.id);
    const leftovers = await query<{ n: number }>(postgres, "SELECT count(*)::int AS n FROM markov_transitions WHERE model_id = $1", [
      before?.id,
    ]);
    expect(leftovers[0]?.n).toBe(0);
  });

  it.each([
    ["binary", Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0x00]), /looks binary/],
    ["non-UTF-8", Buffer.from("Caf\xe9 cr\xe8me and more words.", "latin1"), /not valid UTF-8/],
    ["empty", Buffer.alloc(0), /empty/],
  ])("rejects a %s corpus file and keeps the active model", async (kind, bytes, message) => {
    const before = await activeModel(postgres, "default");
    const file = join(scratch, `bad-${kind}.txt`);
    writeFileSync(file, bytes);
    const result = await train(postgres, [file]);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(message);
    expect(result.output).toContain("active model is unchanged");
    expect(await activeModel(postgres, "default")).toEqual(before);
  });
});

describe("startLocalPostgres with a data dir", () => {
  it("keeps data across a restart and advertises itself while running", async () => {
    const dir = mkdtempSync(join(tmpdir(), "edge-guard-pgdata-"));
    const dataDir = join(dir, "postgres");
    try {
      const first = await startLocalPostgres({ dataDir, defaultCorpus: TINY_TEXT });
      expect(JSON.parse(readFileSync(endpointFileOf(dataDir), "utf8"))).toMatchObject({
        neonLocalProxy: first.neonLocalProxy,
        pid: process.pid,
      });
      const model = await activeModel(first, "default");
      await query(
        first,
        `INSERT INTO decisions (report_id, at, source, ip, method, path, user_agent, edge_action, edge_score, reasons, verdict)
         VALUES ('persisted', now(), 'test', '192.0.2.1', 'GET', '/', 'ua', 'allow', 0, '[]', 'human')`,
      );
      await first.stop();
      expect(existsSync(endpointFileOf(dataDir))).toBe(false);

      const second = await startLocalPostgres({ dataDir, defaultCorpus: "A different corpus that must not be trained." });
      try {
        expect(await query(second, "SELECT report_id FROM decisions")).toEqual([{ report_id: "persisted" }]);
        expect(await activeModel(second, "default")).toEqual(model); // not retrained on restart
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("trains the bundled Factbook corpus on first start", async () => {
    const started = performance.now();
    const postgres = await startLocalPostgres({});
    const seconds = (performance.now() - started) / 1000;
    try {
      console.log(`startLocalPostgres (in memory, migrations + Factbook training): ${seconds.toFixed(2)} s`);
      const model = await activeModel(postgres, "default");
      expect(model?.tokens).toBeGreaterThan(40_000);
      expect(model?.rows).toBeGreaterThan(30_000);
    } finally {
      await postgres.stop();
    }
  });
});
