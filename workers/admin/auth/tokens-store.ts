import { and, eq, gt, isNull, or, sql } from "drizzle-orm";
import type { Conn } from "../store/db";
import { adminUsers, apiTokens } from "../../../adapters/db/schema";
import { RoleSchema, storedScope, type Role, type SiteScope } from "../../../core/admin/roles";
import { randomToken, sha256Hex } from "./crypto";

/** Prefix of every API token, so a leaked one is recognisable (secret scanners, logs). */
export const TOKEN_PREFIX = "egt_";

export type ApiTokenRow = typeof apiTokens.$inferSelect;

/** A token as the API lists it: never the token or its hash. */
export interface TokenView {
  readonly id: number;
  readonly name: string;
  readonly role: Role;
  readonly sites: SiteScope;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

/** The public view of a token row. */
export function tokenView(t: ApiTokenRow): TokenView {
  return {
    id: t.id,
    name: t.name,
    role: RoleSchema.catch("viewer").parse(t.role),
    sites: storedScope(t.sites),
    createdBy: t.createdBy,
    createdAt: t.createdAt.toISOString(),
    expiresAt: t.expiresAt?.toISOString() ?? null,
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
  };
}

/** Creates a token: 32 random bytes, stored as SHA-256 only. The returned `token` is the one time it is seen. */
export async function createToken(
  d: Conn,
  input: { name: string; role: Role; createdBy: string; expiresAt: Date | null; sites?: readonly string[] | null },
): Promise<{ row: ApiTokenRow; token: string }> {
  const token = `${TOKEN_PREFIX}${randomToken(32)}`;
  const [row] = await d
    .insert(apiTokens)
    .values({ ...input, tokenHash: await sha256Hex(token) })
    .returning();
  if (row === undefined) throw new Error("insert returned no row");
  return { row, token };
}

/**
 * The live token with this value, marking it used; null otherwise. Live: not revoked, not past its end, younger
 * than `maxDays`, and its creator still exists and is enabled (a built-in user by name, an Access user mapped by email).
 */
export async function useToken(d: Conn, token: string, now: Date, maxDays: number): Promise<ApiTokenRow | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const creatorAlive = or(
    and(
      sql`${apiTokens.createdBy} LIKE 'user:%'`,
      sql`EXISTS (SELECT 1 FROM ${adminUsers} WHERE 'user:' || ${adminUsers.name} = ${apiTokens.createdBy} AND NOT ${adminUsers.disabled})`,
    ),
    and(
      sql`${apiTokens.createdBy} NOT LIKE 'user:%'`,
      sql`NOT EXISTS (SELECT 1 FROM ${adminUsers} WHERE 'access:' || lower(${adminUsers.email}) = lower(${apiTokens.createdBy}) AND ${adminUsers.disabled})`,
    ),
  );
  const [row] = await d
    .update(apiTokens)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(apiTokens.tokenHash, await sha256Hex(token)),
        isNull(apiTokens.revokedAt),
        or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)),
        gt(apiTokens.createdAt, new Date(now.getTime() - maxDays * 86_400_000)),
        creatorAlive,
      ),
    )
    .returning();
  return row ?? null;
}
