import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from "jose";
import type { LruMap } from "../../../core/lru";
import type { AccessConfig } from "../config";

/** The header Cloudflare Access adds to every request it lets through to the application. */
export const ACCESS_HEADER = "cf-access-jwt-assertion";

/** The team's published signing keys, fetched and cached by jose: one set per team, kept in `sets` (AdminState). */
export function remoteAccessKeys(sets: LruMap<string, JWTVerifyGetKey>): (access: AccessConfig) => JWTVerifyGetKey {
  return (access) => {
    let set = sets.get(access.certsUrl);
    if (set === undefined) {
      set = createRemoteJWKSet(new URL(access.certsUrl));
      sets.set(access.certsUrl, set);
    }
    return set;
  };
}

/** A verified Access identity. */
export interface AccessIdentity {
  readonly email: string;
  readonly sub: string;
  readonly iat: number;
}

/**
 * Verifies an Access JWT: RS256 only (so `alg: none` and HS256 signed with the public key are refused), a key
 * from the team's set, our issuer and AUD, inside exp/nbf. Null for any failure; the reason goes to the log.
 */
export async function verifyAccessJwt(
  token: string,
  access: AccessConfig,
  keys: JWTVerifyGetKey,
  nowMs: number,
): Promise<AccessIdentity | null> {
  try {
    const { payload } = await jwtVerify(token, keys, {
      algorithms: ["RS256"],
      issuer: access.issuer,
      audience: access.audience,
      currentDate: new Date(nowMs),
      requiredClaims: ["exp", "iat", "sub"],
    });
    if (typeof payload.email !== "string" || payload.email === "" || typeof payload.sub !== "string") return null;
    return { email: payload.email.toLowerCase(), sub: payload.sub, iat: payload.iat ?? 0 };
  } catch (error) {
    console.warn(JSON.stringify({ msg: "access jwt refused", error: error instanceof Error ? error.name : String(error) }));
    return null;
  }
}

/** The role ACCESS_ROLES gives an email: an exact entry first, then `*@domain`; null when none does. */
export function accessRoleFor(email: string, access: AccessConfig): string | null {
  return access.roles.get(email) ?? access.roles.get(`*@${email.slice(email.lastIndexOf("@") + 1)}`) ?? null;
}
