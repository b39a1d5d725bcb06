import { createRequire } from "node:module";
import { connect, type Socket } from "node:net";
import type * as Ws from "ws";
import type { RawData, WebSocket } from "ws";

// Loaded with Node's resolver on purpose: a vitest globalSetup of a workerd project resolves imports with the
// Workers' conditions, which pick ws's browser stub (no server).
const { WebSocketServer } = createRequire(import.meta.url)("ws") as typeof Ws;

/** How the proxy reaches the database and how long a silent session may hold it while others wait. */
export interface SerialWsProxyOptions {
  readonly host: string;
  /** 0 = any free port. */
  readonly port: number;
  readonly target: { readonly host: string; readonly port: number };
  /** A session silent (no bytes either way) this long while others queue is closed. */
  readonly stuckAfterMs: number;
  /** Resolves when the target accepts a new connection: PGlite's socket server frees its one slot asynchronously. */
  readonly targetReady?: () => Promise<void>;
  readonly log?: (line: string) => void;
  /** What needs attention (a proxy error, a stuck session closed); default: `log`. */
  readonly warn?: (line: string) => void;
}

/** A running proxy. */
export interface SerialWsProxy {
  readonly port: number;
  /** Sessions served, waiting now, and closed for being stuck. */
  stats(): { readonly served: number; readonly waiting: number; readonly killed: number };
  /** Fault suite: drops the waiting sessions now and every new connection until `resume()` (the database is unreachable). */
  suspend(): void;
  resume(): void;
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const TERMINATE = 0x58; // 'X'

/**
 * Neon's WebSocket front door for a local, single-session Postgres (PGlite): each WebSocket carries raw wire
 * protocol as binary frames (`ws://host:port/v2?address=…`; the address is ignored, every session goes to
 * `target`). Sessions are bridged one at a time, in arrival order; the TCP socket is closed as soon as the
 * client sends Terminate or goes away, so `pool.end()` returns.
 */
export async function startSerialWsProxy(options: SerialWsProxyOptions): Promise<SerialWsProxy> {
  const warn = options.warn ?? options.log ?? (() => {});
  const queue: Session[] = [];
  let active: Session | undefined;
  let served = 0;
  let killed = 0;
  let closing = false;
  let suspended = false;

  const pump = (): void => {
    if (active !== undefined || closing) return;
    let next = queue.shift();
    while (next !== undefined && next.finished) next = queue.shift();
    if (next === undefined) return;
    const session = next;
    active = session;
    served++;
    session.open(options.target, () => {
      void (options.targetReady?.() ?? Promise.resolve()).finally(() => {
        if (active === session) active = undefined;
        pump();
      });
    });
  };

  const wss = new WebSocketServer({ host: options.host, port: options.port, perMessageDeflate: false });
  wss.on("connection", (ws) => {
    if (suspended) return ws.terminate();
    const session = new Session(ws);
    ws.on("close", () => {
      if (!session.bridged) session.finish(); // still queued: just forget it
    });
    queue.push(session);
    pump();
  });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  wss.on("error", (error) => warn(`database proxy error: ${error.message}`));
  const address = wss.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;

  const watchdog = setInterval(
    () => {
      const waiting = queue.filter((s) => !s.finished).length;
      if (active === undefined || active.finished || waiting === 0) return;
      const silentMs = Date.now() - active.lastActivity;
      if (silentMs < options.stuckAfterMs) return;
      killed++;
      warn(`closing a database session silent for ${silentMs} ms while ${waiting} wait`);
      active.kill();
    },
    Math.max(50, Math.floor(options.stuckAfterMs / 4)),
  );
  watchdog.unref();

  return {
    port,
    stats: () => ({ served, waiting: queue.filter((s) => !s.finished).length, killed }),
    suspend() {
      // The session in flight may finish (cutting PGlite off mid-protocol can freeze it); the waiting ones are dropped.
      suspended = true;
      for (const session of queue) session.kill();
      queue.length = 0;
    },
    resume() {
      suspended = false;
    },
    async close() {
      closing = true;
      clearInterval(watchdog);
      for (const session of [...queue, ...(active ? [active] : [])]) session.kill();
      queue.length = 0;
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** One client WebSocket: queued frames until its turn, then bridged to one TCP connection. */
class Session {
  lastActivity = Date.now();
  finished = false;
  bridged = false;
  readonly #ws: WebSocket;
  readonly #pending: Buffer[] = [];
  readonly #scanner = new FrontendScanner();
  #tcp: Socket | undefined;
  #onDone: (() => void) | undefined;

  constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on("message", (data) => this.#fromClient(toBuffer(data)));
    ws.on("error", () => this.kill());
  }

  /** Starts the bridge; `onDone` runs once, after the TCP socket has closed. */
  open(target: { readonly host: string; readonly port: number }, onDone: () => void): void {
    this.#onDone = onDone;
    this.bridged = true;
    this.lastActivity = Date.now();
    if (this.finished) return this.#done();
    const tcp = connect({ host: target.host, port: target.port, noDelay: true });
    this.#tcp = tcp;
    tcp.on("connect", () => {
      for (const chunk of this.#pending.splice(0)) tcp.write(chunk);
      if (this.#scanner.terminated) this.finish();
    });
    tcp.on("data", (data) => {
      this.lastActivity = Date.now();
      if (this.#ws.readyState === this.#ws.OPEN) this.#ws.send(data, { binary: true });
    });
    tcp.on("error", () => this.kill());
    tcp.on("close", () => {
      this.finish();
      this.#done();
    });
    this.#ws.on("close", () => this.finish());
  }

  /** Ends the session politely: the client's last bytes still reach the database. */
  finish(): void {
    this.finished = true;
    if (this.#ws.readyState === this.#ws.OPEN || this.#ws.readyState === this.#ws.CONNECTING) this.#ws.close();
    if (this.#tcp !== undefined && !this.#tcp.destroyed) {
      this.#tcp.end();
      const tcp = this.#tcp;
      setTimeout(() => tcp.destroy(), 1000).unref();
    }
    if (this.bridged && this.#tcp === undefined) this.#done();
  }

  /** Drops the session at once (stuck, errored, or the proxy is closing). */
  kill(): void {
    this.finished = true;
    this.#ws.terminate();
    this.#tcp?.destroy();
    if (this.bridged && this.#tcp === undefined) this.#done();
  }

  #fromClient(chunk: Buffer): void {
    this.lastActivity = Date.now();
    this.#scanner.feed(chunk);
    const tcp = this.#tcp;
    if (tcp === undefined || tcp.connecting) this.#pending.push(chunk);
    else if (!tcp.destroyed) tcp.write(chunk);
    // Terminate: close both ends now; pg's client waits for the socket to close before `end()` resolves.
    if (this.#scanner.terminated && tcp !== undefined && !tcp.connecting) this.finish();
  }

  #done(): void {
    const onDone = this.#onDone;
    this.#onDone = undefined;
    onDone?.();
  }
}

/** Follows frontend message boundaries (startup packets, then type byte + length) to spot Terminate. */
export class FrontendScanner {
  terminated = false;
  #startup = true;
  #header = Buffer.alloc(0);
  #skip = 0;

  /** Reads a chunk of client→server bytes; returns true once a Terminate message has been seen. */
  feed(chunk: Buffer): boolean {
    let i = 0;
    while (i < chunk.length && !this.terminated) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, chunk.length - i);
        i += n;
        this.#skip -= n;
        continue;
      }
      const need = this.#startup ? 8 : 5;
      const take = Math.min(need - this.#header.length, chunk.length - i);
      this.#header = Buffer.concat([this.#header, chunk.subarray(i, i + take)]);
      i += take;
      if (this.#header.length < need) break;
      if (this.#startup) {
        const code = this.#header.readInt32BE(4);
        if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) this.#startup = false;
        this.#skip = Math.max(0, this.#header.readInt32BE(0) - 8);
      } else {
        if (this.#header[0] === TERMINATE) this.terminated = true;
        this.#skip = Math.max(0, this.#header.readInt32BE(1) - 4);
      }
      this.#header = Buffer.alloc(0);
    }
    return this.terminated;
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
