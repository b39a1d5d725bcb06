import type { Role } from "../../../core/admin/roles";
import { requireRole } from "../auth/principal";

/** The security schemes every protected route accepts, for the OpenAPI document. */
export const SECURITY: Record<string, string[]>[] = [{ bearerToken: [] }, { sessionCookie: [] }, { cloudflareAccess: [] }];

/**
 * The part of a route definition that protects it: the role check (run before input validation) and the
 * OpenAPI security and `x-required-role` that document it. Every route spreads one of these.
 */
export function secured(role: Role) {
  return { middleware: requireRole(role), security: SECURITY, "x-required-role": role };
}
