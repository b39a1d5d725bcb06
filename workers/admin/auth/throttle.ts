import { and, count, eq, gt, inArray, lt, min, or, sql } from "drizzle-orm";
import type { Conn } from "../store/db";
import { adminLoginFailures } from "../../../adapters/db/schema";
import {
  LOGIN_MAX_FAILURES_PER_IP,
  LOGIN_MAX_FAILURES_PER_USER,
  LOGIN_WINDOW_MS,
  loginAllowed,
  type LoginGate,
} from "../../../core/admin/login-throttle";

const userKey = (name: string) => `user:${name.toLowerCase()}`;
const ipKey = (ip: string) => `ip:${ip}`;
const pairKey = (name: string, ip: string) => `pair:${name.toLowerCase()}|${ip}`;
// One advisory lock for every login gate: gates are a few milliseconds each and logins are rare, so one lock is
// simpler than ordering per-key locks, and it makes check-and-record atomic across isolates and colos.
const LOGIN_GATE_LOCK = 0x6567_6c67; // "eglg"

/** An attempt that passed the gate: already counted; `release` it if the login succeeds. */
export type LoginClaim = LoginGate & { readonly ids: readonly number[] };

/**
 * The login rate limit, kept in Postgres so every isolate and colo shares it. Counts the attempt before any
 * password hashing, in one transaction under a lock, so a burst of parallel attempts cannot all pass a check
 * made before any of them is recorded. An attempt is a failure until `releaseLoginAttempt` says otherwise.
 */
export async function claimLoginAttempt(d: Conn, name: string, ip: string, nowMs: number): Promise<LoginClaim> {
  const keys = { user: userKey(name), ip: ipKey(ip), pair: pairKey(name, ip) };
  return d.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${LOGIN_GATE_LOCK})`);
    await tx.delete(adminLoginFailures).where(lt(adminLoginFailures.at, new Date(nowMs - LOGIN_WINDOW_MS)));
    const rows = await tx
      .select({ key: adminLoginFailures.key, n: count(), oldest: min(adminLoginFailures.at) })
      .from(adminLoginFailures)
      .where(
        and(inArray(adminLoginFailures.key, [keys.user, keys.ip, keys.pair]), gt(adminLoginFailures.at, new Date(nowMs - LOGIN_WINDOW_MS))),
      )
      .groupBy(adminLoginFailures.key);
    const of = (key: string) => rows.find((r) => r.key === key);
    const pair = of(keys.pair);
    const byIp = of(keys.ip);
    const over = [pair && pair.n >= LOGIN_MAX_FAILURES_PER_USER ? pair : null, byIp && byIp.n >= LOGIN_MAX_FAILURES_PER_IP ? byIp : null];
    const oldest =
      over
        .map((r) => r?.oldest?.getTime() ?? null)
        .filter((t) => t !== null)
        .sort((a, b) => b - a)[0] ?? null;
    const gate = loginAllowed({ pair: pair?.n ?? 0, ip: byIp?.n ?? 0, account: of(keys.user)?.n ?? 0, oldestAt: oldest }, nowMs);
    if (!gate.allowed) return { ...gate, ids: [] };
    const at = new Date(nowMs);
    const inserted = await tx
      .insert(adminLoginFailures)
      .values([
        { key: keys.user, at },
        { key: keys.ip, at },
        { key: keys.pair, at },
      ])
      .returning({ id: adminLoginFailures.id });
    return { ...gate, ids: inserted.map((r) => r.id) };
  });
}

/**
 * A successful login: its own attempt was not a failure, and the account's failures (all addresses) and this
 * address's failures at this account are forgotten. The address's failures at other names stay: one good login
 * must not reset a spray.
 */
export async function releaseLoginAttempt(d: Conn, claim: LoginClaim, name: string, ip: string): Promise<void> {
  await d
    .delete(adminLoginFailures)
    .where(
      or(
        inArray(adminLoginFailures.id, [...claim.ids]),
        eq(adminLoginFailures.key, userKey(name)),
        eq(adminLoginFailures.key, pairKey(name, ip)),
      ),
    );
}
