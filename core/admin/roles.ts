import { z } from "zod";

/** Operator roles, weakest first: viewer reads, operator changes blocklists/policy/labels, admin manages users and tokens. */
export const ROLES = ["viewer", "operator", "admin"] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

/** True when `have` grants everything `need` does. */
export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}
