import { z } from "zod";

/** Operator roles, weakest first: viewer reads, operator changes blocklists/policy/labels, admin manages users and tokens. */
export const ROLES = ["viewer", "operator", "admin"] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

/** True when `have` grants everything `need` does. */
export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/**
 * Which sites a principal may see and act on: every site (`"all"`), or the listed site ids. An admin always has all
 * (admins manage users, tokens and the sites themselves); a viewer or operator may be limited to some sites.
 */
export type SiteScope = "all" | string[];
export const SiteScopeSchema = z.union([
  z.literal("all"),
  z
    .array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "a site id"))
    .min(1)
    .max(100),
]);

/** True when `scope` covers `site`. */
export function scopeCovers(scope: SiteScope, site: string): boolean {
  return scope === "all" || scope.includes(site);
}

/** A stored scope (a jsonb column; null: all sites) read leniently: anything malformed grants nothing beyond the default. */
export function storedScope(value: unknown): SiteScope {
  if (value === null || value === undefined) return "all";
  const parsed = SiteScopeSchema.safeParse(value);
  return parsed.success ? parsed.data : ["default"];
}
