import { and, count, eq, gt, inArray, lt, min } from "drizzle-orm";
import type { Conn } from "../store/db";
import { adminLoginFailures } from "../../../adapters/db/schema";
import { LOGIN_MAX_FAILURES_PER_IP, LOGIN_MAX_FAILURES_PER_USER, LOGIN_WINDOW_MS, loginAllowed } from "../../../core/admin/login-throttle";

const userKey = (name: string) => `user:${name.toLowerCase()}`;
const ipKey = (ip: string) => `ip:${ip}`;

/**
 * The login rate limit, kept in Postgres so every isolate and colo shares it (an in-isolate count would give an
 * attacker a fresh budget per isolate). Answers when the next attempt may be checked, before any password hashing.
 */
export async function loginGate(d: Conn, name: string, ip: string, nowMs: number): Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number }> {
  const since = new Date(nowMs - LOGIN_WINDOW_MS);
  const rows = await d
    .select({ key: adminLoginFailures.key, n: count(), oldest: min(adminLoginFailures.at) })
    .from(adminLoginFailures)
    .where(and(inArray(adminLoginFailures.key, [userKey(name), ipKey(ip)]), gt(adminLoginFailures.at, since)))
    .groupBy(adminLoginFailures.key);
  const user = rows.find((r) => r.key === userKey(name));
  const byIp = rows.find((r) => r.key === ipKey(ip));
  const over = [user && user.n >= LOGIN_MAX_FAILURES_PER_USER ? user : null, byIp && byIp.n >= LOGIN_MAX_FAILURES_PER_IP ? byIp : null].filter((r) => r !== null);
  const oldest = over.map((r) => r?.oldest?.getTime() ?? nowMs).sort((a, b) => b - a)[0] ?? null;
  return loginAllowed({ user: user?.n ?? 0, ip: byIp?.n ?? 0, oldestAt: oldest }, nowMs);
}

/** Counts a failed attempt against the name and the address, and forgets failures older than the window. */
export async function recordLoginFailure(d: Conn, name: string, ip: string, nowMs: number): Promise<void> {
  const at = new Date(nowMs);
  await d.insert(adminLoginFailures).values([{ key: userKey(name), at }, { key: ipKey(ip), at }]);
  await d.delete(adminLoginFailures).where(lt(adminLoginFailures.at, new Date(nowMs - LOGIN_WINDOW_MS)));
}

/** A successful login clears the account's failures (not the address's: one good login must not reset a spray). */
export async function clearLoginFailures(d: Conn, name: string): Promise<void> {
  await d.delete(adminLoginFailures).where(eq(adminLoginFailures.key, userKey(name)));
}
