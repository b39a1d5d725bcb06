import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { readFactbookCorpus } from "./factbook-corpus";
import { activeModelId, countCorpus, storeMarkovModel } from "./markov-store";
import { startSerialWsProxy } from "./serial-ws-proxy";

/** Where the dev stack keeps its database (`.state/postgres`, or under EDGE_GUARD_STATE_DIR); the trainer looks here too. */
export const DEV_POSTGRES_DIR = process.env.EDGE_GUARD_STATE_DIR
  ? join(process.env.EDGE_GUARD_STATE_DIR, "postgres")
  : fileURLToPath(new URL("../.state/postgres", import.meta.url));

/** The Markov corpus the tarpit serves unless MARKOV_CORPUS says otherwise. */
export const DEFAULT_MARKOV_CORPUS = "default";

/** A session silent this long while others wait for the database is closed (a stuck client must not freeze dev). */
export const STUCK_SESSION_MS = 30_000;

const MIGRATIONS_DIR = fileURLToPath(new URL("../migrations", import.meta.url));

/** How to start the embedded database. */
export interface LocalPostgresOptions {
  /** Directory of the database files; undefined = in memory. Survives restarts and kill -9. */
  readonly dataDir?: string;
  /** Port of the WebSocket proxy the neon driver connects to; 0 or undefined = any free port. */
  readonly port?: number;
  /** Interface the proxy listens on (default 127.0.0.1). */
  readonly host?: string;
  /** Text for the `default` corpus if it has no active model: the Factbook prose unless given; false = leave it empty. */
  readonly defaultCorpus?: string | false;
  readonly stuckSessionMs?: number;
  readonly log?: (line: string) => void;
  /** What needs attention from the database proxy (a stuck session closed, a proxy error); default: `log`. */
  readonly warn?: (line: string) => void;
}

/** A running embedded Postgres. */
export interface LocalPostgres {
  /** Connection string for the neon driver (its host:port is PGlite's wire-protocol port). */
  readonly databaseUrl: string;
  /** `127.0.0.1:PORT` of the WebSocket proxy: the NEON_LOCAL_PROXY binding. */
  readonly neonLocalProxy: string;
  /** PGlite's TCP port. Direct clients (psql, drizzle-kit) work one at a time; a second is refused while one is connected. */
  readonly pglitePort: number;
  /** Sessions the proxy has bridged so far: one per Worker `withDb` call (the bench counts queries with it). */
  sessions(): number;
  /** Fault suite: the database becomes unreachable (every connection dropped) until `resume()`. */
  suspend(): void;
  resume(): void;
  stop(): Promise<void>;
}

/** Where a running instance with a data dir advertises itself, so other processes (the trainer) can share it. */
export function endpointFileOf(dataDir: string): string {
  return `${dataDir.replace(/[/\\]+$/, "")}.endpoint.json`;
}

/** Opens (creating if needed) the PGlite database and applies the drizzle migrations from `migrations/`. */
export async function openLocalDatabase(dataDir: string | undefined): Promise<PGlite> {
  if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
  const pg = await PGlite.create(dataDir === undefined ? {} : { dataDir });
  try {
    await migrate(drizzle({ client: pg }), { migrationsFolder: MIGRATIONS_DIR });
    return pg;
  } catch (error) {
    await pg.close();
    throw error;
  }
}

/**
 * Starts PostgreSQL (PGlite, in WASM) with no setup: migrations applied, the `default` Markov corpus trained on
 * first start, the wire protocol on a loopback port, and a serialising WebSocket proxy for the neon driver in front.
 */
export async function startLocalPostgres(options: LocalPostgresOptions = {}): Promise<LocalPostgres> {
  const log = options.log ?? (() => {});
  const started = performance.now();
  const pg = await openLocalDatabase(options.dataDir);
  const stack: (() => Promise<void>)[] = [() => pg.close()];
  const stop = async (): Promise<void> => {
    for (const step of stack.splice(0).reverse()) await step().catch(() => {});
  };
  try {
    log(`database ${options.dataDir ?? "(in memory)"} open and migrated in ${ms(started)}`);
    if (options.defaultCorpus !== false && (await activeModelId(pg, DEFAULT_MARKOV_CORPUS)) === null) {
      const text = options.defaultCorpus ?? readFactbookCorpus();
      await storeMarkovModel(pg, DEFAULT_MARKOV_CORPUS, countCorpus([text], undefined, log), { log });
    }

    const server = new PGLiteSocketServer({ db: pg, host: "127.0.0.1", port: 0, maxConnections: 1 });
    await server.start();
    stack.push(() => server.stop());
    const pglitePort = Number(server.getServerConn().split(":").pop());

    const host = options.host ?? "127.0.0.1";
    const proxy = await startSerialWsProxy({
      host,
      port: options.port ?? 0,
      target: { host: "127.0.0.1", port: pglitePort },
      stuckAfterMs: options.stuckSessionMs ?? STUCK_SESSION_MS,
      targetReady: () => until(() => server.getStats().activeConnections === 0, 2000),
      log,
      warn: options.warn ?? log,
    });
    stack.push(() => proxy.close());

    const reachable = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
    const endpoint = {
      databaseUrl: `postgresql://postgres:postgres@127.0.0.1:${pglitePort}/postgres`,
      neonLocalProxy: `${reachable}:${proxy.port}`,
      pglitePort,
    };
    if (options.dataDir !== undefined) {
      const file = endpointFileOf(options.dataDir);
      writeFileSync(file, `${JSON.stringify({ ...endpoint, pid: process.pid }, null, 2)}\n`);
      stack.push(async () => rmSync(file, { force: true }));
    }
    log(`postgres ready in ${ms(started)}: NEON_LOCAL_PROXY=${endpoint.neonLocalProxy} DATABASE_URL=${endpoint.databaseUrl}`);
    return { ...endpoint, sessions: () => proxy.stats().served, suspend: () => proxy.suspend(), resume: () => proxy.resume(), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
}

function ms(since: number): string {
  return `${Math.round(performance.now() - since)} ms`;
}
