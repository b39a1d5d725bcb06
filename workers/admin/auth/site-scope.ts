import type { MiddlewareHandler } from "hono";
import { AppError } from "../../../adapters/http";
import { scopeCovers, type Role } from "../../../core/admin/roles";
import { DEFAULT_SITE_ID, SiteIdSchema } from "../../../core/sites";
import type { AdminBindings } from "../router";
import { readSites } from "../store/sites";
import { principalOf, requireRole } from "./principal";
import { SECURITY } from "../routes/secured";

/** The `site` query parameter every site-scoped route takes, as the OpenAPI document declares it. */
export const SITE_PARAMETER = {
  name: "site",
  in: "query" as const,
  required: false,
  description: "the site (id) this request is about; default `default`. 404 `unknown_site`; 403 `forbidden_site` outside your sites",
  schema: { type: "string" as const, pattern: "^[a-z0-9][a-z0-9-]{0,62}$", default: DEFAULT_SITE_ID },
};

/**
 * Route middleware: resolves `?site=` (default: the default site) for the principal. A site outside the principal's
 * sites is 403 `forbidden_site` whether it exists or not (an operator of A learns nothing of B); an unknown site is
 * 404 `unknown_site`. Sets the `site` variable the handlers read.
 */
export function siteScope(): MiddlewareHandler<AdminBindings> {
  return async (c, next) => {
    const asked = c.req.query("site") ?? DEFAULT_SITE_ID;
    const id = SiteIdSchema.safeParse(asked);
    if (!id.success) throw new AppError(400, "invalid_request", "site: a site id is lower-case letters, digits and dashes");
    const principal = principalOf(c);
    if (!scopeCovers(principal.sites, id.data)) throw new AppError(403, "forbidden_site", "you have no access to that site");
    const sites = await readSites(c.env.BLOCKLIST);
    if (sites.get(id.data) === undefined) throw new AppError(404, "unknown_site", `no site "${id.data}": GET /api/sites lists them`);
    c.set("site", id.data);
    await next();
  };
}

/** Like `secured`, for a route about one site: the role check, then the site check, and `?site=` in the document. */
export function securedSite(role: Role) {
  return {
    middleware: [requireRole(role), siteScope()],
    security: SECURITY,
    parameters: [SITE_PARAMETER],
    "x-required-role": role,
  };
}

/**
 * Route middleware for what belongs to no one site (crawler accounts, the pay-per-crawl ledger and revenue, which
 * cover every site): only a principal with every site in scope; an operator of some sites gets 403 `forbidden_site`.
 */
export function allSitesScope(): MiddlewareHandler<AdminBindings> {
  return async (c, next) => {
    if (principalOf(c).sites !== "all")
      throw new AppError(403, "forbidden_site", "crawler accounts and the ledger cover every site: ask an operator of all sites");
    await next();
  };
}

/** Like `secured`, for a route about every site at once (`allSitesScope`). */
export function securedAllSites(role: Role) {
  return { middleware: [requireRole(role), allSitesScope()], security: SECURITY, "x-required-role": role };
}
