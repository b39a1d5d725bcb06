import { DurableObject } from "cloudflare:workers";
import type { HopPolicy } from "../core/tarpit-config";
import { isHopOut, type HopCount } from "../core/tarpit-hops";
import { applyMigrations } from "./sqlite-migrations";

/** Hops are kept at least this long, so the report's ten-minute count is right whatever the window. */
export const HOP_HISTORY_MS = 10 * 60_000;

/** A slow-stream slot the caller asks for along with the hop. */
export interface StreamClaim {
  /** Slow streams this client may hold at once. */
  readonly max: number;
  /** The slot frees itself after this long if `release` never comes (an isolate that died mid-stream). */
  readonly leaseMs: number;
}

/** A counted hop, and the stream slot if one was asked for and free (null otherwise). */
export interface HopAnswer extends HopCount {
  readonly lease: string | null;
}

// Append-only: never edit a shipped entry; add a new one.
const MIGRATIONS: readonly string[] = [
  "CREATE TABLE hops (at INTEGER NOT NULL)",
  "CREATE INDEX hops_at ON hops (at)",
  "CREATE TABLE leases (id TEXT PRIMARY KEY, until INTEGER NOT NULL)",
  "CREATE TABLE state (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
];

/**
 * One instance per client IP, hosted by the tarpit Worker: counts the client's hops through the labyrinth,
 * says when it has hopped too far (once per block), and hands out its slow-stream slots. Forgets on an alarm.
 */
export class HopCounter extends DurableObject<unknown> {
  /** False until the schema exists: at start, and again after the alarm wiped a quiet client's storage. */
  #migrated = false;

  /** Counts a hop at `at` (epoch ms) under `policy`, and claims a stream slot when `stream` is given. */
  async hop(at: number, policy: HopPolicy, stream: StreamClaim | null): Promise<HopAnswer> {
    const sql = this.#sql();
    const keepMs = Math.max(policy.windowMs, HOP_HISTORY_MS);
    sql.exec("DELETE FROM hops WHERE at <= ?", at - keepMs);
    sql.exec("INSERT INTO hops (at) VALUES (?)", at);
    const counts = sql
      .exec<{ inWindow: number; m1: number; m10: number }>(
        `SELECT sum(at > ?) AS inWindow, sum(at > ?) AS m1, sum(at > ?) AS m10 FROM hops`,
        at - policy.windowMs,
        at - 60_000,
        at - HOP_HISTORY_MS,
      )
      .one();
    const blockedUntil = sql.exec<{ value: number }>("SELECT value FROM state WHERE key = 'blocked_until'").toArray()[0]?.value ?? 0;
    const block = isHopOut(counts.inWindow, blockedUntil, at, policy);
    if (block) sql.exec("INSERT OR REPLACE INTO state (key, value) VALUES ('blocked_until', ?)", at + policy.blockTtlSeconds * 1000);
    const lease = stream === null ? null : this.#claim(at, stream);
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(at + keepMs);
    return { inWindow: counts.inWindow, m1: counts.m1, m10: counts.m10, block, lease };
  }

  /** Frees a stream slot (the stream ended, or the client gave up). */
  async release(lease: string): Promise<void> {
    this.#sql().exec("DELETE FROM leases WHERE id = ?", lease);
  }

  /** Slow streams this client holds now. */
  async activeStreams(at: number): Promise<number> {
    return this.#sql().exec<{ n: number }>("SELECT count(*) AS n FROM leases WHERE until > ?", at).one().n;
  }

  override async alarm(): Promise<void> {
    const sql = this.#sql();
    const now = Date.now();
    sql.exec("DELETE FROM hops WHERE at <= ?", now - HOP_HISTORY_MS);
    sql.exec("DELETE FROM leases WHERE until <= ?", now);
    const left = sql.exec<{ n: number }>("SELECT (SELECT count(*) FROM hops) + (SELECT count(*) FROM leases) AS n").one().n;
    const blockedUntil = sql.exec<{ value: number }>("SELECT value FROM state WHERE key = 'blocked_until'").toArray()[0]?.value ?? 0;
    if (left === 0 && blockedUntil <= now) {
      await this.ctx.storage.deleteAll(); // a client gone quiet costs no storage
      this.#migrated = false;
    } else await this.ctx.storage.setAlarm(now + HOP_HISTORY_MS);
  }

  #claim(at: number, stream: StreamClaim): string | null {
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM leases WHERE until <= ?", at);
    const held = sql.exec<{ n: number }>("SELECT count(*) AS n FROM leases").one().n;
    if (held >= stream.max) return null;
    const id = crypto.randomUUID();
    sql.exec("INSERT INTO leases (id, until) VALUES (?, ?)", id, at + stream.leaseMs);
    return id;
  }

  #sql(): SqlStorage {
    // Synchronous, so no request can interleave: the first call after start (or a wipe) creates the schema.
    if (!this.#migrated) this.#migrate();
    this.#migrated = true;
    return this.ctx.storage.sql;
  }

  #migrate(): void {
    applyMigrations(this.ctx.storage, MIGRATIONS);
  }
}
