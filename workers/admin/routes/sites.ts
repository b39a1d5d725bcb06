import { createRoute, z } from "@hono/zod-openapi";
import { AppError } from "../../../adapters/http";
import { scopeCovers } from "../../../core/admin/roles";
import { CorpusNameSchema, DEFAULT_SITE_ID, HOSTNAME_PATTERN, SiteDirectory, type Site } from "../../../core/sites";
import { actorOf, principalOf } from "../auth/principal";
import { adminRouter } from "../router";
import { ERROR_RESPONSES, NOT_FOUND, OkSchema, SiteIdField, json, jsonBody } from "../schemas";
import { db } from "../store/db";
import { siteTotals } from "../store/overview";
import { readSites, writeSites } from "../store/sites";
import { secured } from "./secured";

const HostnameField = z.string().max(253).regex(HOSTNAME_PATTERN, "a hostname such as blog.example.com or *.example.com");
const SiteSchema = z
  .object({
    id: z.string().openapi({ example: "blog" }),
    name: z.string(),
    hostnames: z
      .array(z.string())
      .openapi({ description: "exact hostnames and `*.` wildcards; the default site also takes every unclaimed host" }),
    corpus: z
      .string()
      .optional()
      .openapi({ description: "the Markov corpus of this site's labyrinth; absent: the tarpit's MARKOV_CORPUS" }),
  })
  .openapi("Site");
const NewSiteSchema = z
  .object({
    id: SiteIdField.openapi({ description: "a lower-case slug; part of every key of the site, so it never changes" }),
    name: z.string().trim().min(1).max(100),
    hostnames: z.array(HostnameField).max(100),
    corpus: CorpusNameSchema.optional().openapi({ description: "a trained Markov corpus (`npm run train:markov -- --corpus NAME`)" }),
  })
  .openapi("NewSite");
const SitePatchSchema = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    hostnames: z.array(HostnameField).max(100).optional(),
    corpus: CorpusNameSchema.nullable().optional().openapi({ description: "null: back to the tarpit's MARKOV_CORPUS" }),
  })
  .openapi("SitePatch");
const IdParams = z.object({ id: SiteIdField.openapi({ param: { name: "id", in: "path" } }) });
const InvalidSitesSchema = z.object({ error: z.literal("invalid_sites"), message: z.string() }).openapi("InvalidSites");
const OverviewQuery = z.object({
  since: z.iso.datetime({ offset: true }).optional().openapi({ description: "default: 24 hours ago" }),
  until: z.iso.datetime({ offset: true }).optional().openapi({ description: "default: now" }),
});

/** The sites with a change applied, or 422 `invalid_sites` naming the overlap (core/sites.ts, the one validator). */
function validSites(sites: readonly Site[]): SiteDirectory {
  const made = SiteDirectory.of(sites);
  if (!made.ok) throw new AppError(422, "invalid_sites", made.error);
  return made.value;
}

/** The sites as stored (the default site only when it has a name or hostnames of its own). */
function stored(directory: SiteDirectory): Site[] {
  return directory.sites.filter((s) => s.id !== DEFAULT_SITE_ID || s.hostnames.length > 0 || s.name !== "Default site");
}

/** Sites (sets of hostnames, each with its own policy, lists and data): everyone lists theirs; admins change them. */
export const siteRoutes = adminRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      summary: "The sites you may see (an admin: all of them, the default site first)",
      ...secured("viewer"),
      responses: { 200: json(z.object({ sites: z.array(SiteSchema) }), "the sites"), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const scope = principalOf(c).sites;
      const sites = (await readSites(c.env.BLOCKLIST)).sites.filter((s) => scopeCovers(scope, s.id));
      return c.json({ sites }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/overview",
      summary: "Requests and blocks per site (admins: every site at once)",
      ...secured("admin"),
      request: { query: OverviewQuery },
      responses: {
        200: json(
          z.object({
            since: z.string(),
            until: z.string(),
            sites: z.array(z.object({ id: z.string(), name: z.string(), requests: z.number().int(), blocked: z.number().int() })),
          }),
          "totals",
        ),
        ...ERROR_RESPONSES,
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const until = q.until === undefined ? new Date(c.get("deps").now()) : new Date(q.until);
      const since = q.since === undefined ? new Date(until.getTime() - 86_400_000) : new Date(q.since);
      if (since > until) throw new AppError(400, "invalid_request", "since must be before until");
      const [directory, totals] = await Promise.all([readSites(c.env.BLOCKLIST), db(c.env, (d) => siteTotals(d, since, until))]);
      const sites = directory.sites.map((s) => {
        const t = totals.find((row) => row.site === s.id);
        return { id: s.id, name: s.name, requests: t?.requests ?? 0, blocked: t?.blocked ?? 0 };
      });
      return c.json({ since: since.toISOString(), until: until.toISOString(), sites }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      summary: "Add a site; overlapping hostnames are refused with the overlap named",
      ...secured("admin"),
      request: { body: jsonBody(NewSiteSchema) },
      responses: {
        201: json(SiteSchema, "added"),
        409: json(z.object({ error: z.string(), message: z.string() }), "`site_exists`"),
        422: json(InvalidSitesSchema, "`invalid_sites`"),
        ...ERROR_RESPONSES,
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const directory = await readSites(c.env.BLOCKLIST);
      if (directory.get(input.id) !== undefined)
        throw new AppError(409, "site_exists", `a site "${input.id}" exists: change it with PATCH`);
      const site: Site = {
        id: input.id,
        name: input.name,
        hostnames: [...input.hostnames],
        ...(input.corpus === undefined ? {} : { corpus: input.corpus }),
      };
      validSites([...stored(directory), site]);
      await writeSites(c.env, actorOf(principalOf(c)), "site.create", `site:${site.id}`, [...stored(directory), site], null);
      return c.json(site, 201);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{id}",
      summary: "Rename a site or change its hostnames",
      ...secured("admin"),
      request: { params: IdParams, body: jsonBody(SitePatchSchema) },
      responses: { 200: json(SiteSchema, "changed"), 404: NOT_FOUND, 422: json(InvalidSitesSchema, "`invalid_sites`"), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const patch = c.req.valid("json");
      const directory = await readSites(c.env.BLOCKLIST);
      const old = directory.get(id);
      if (old === undefined) throw new AppError(404, "unknown_site", `no site "${id}"`);
      const { corpus: _oldCorpus, ...rest } = old;
      const corpus = patch.corpus === undefined ? old.corpus : (patch.corpus ?? undefined);
      const site: Site = {
        ...rest,
        ...(patch.name === undefined ? {} : { name: patch.name }),
        ...(patch.hostnames === undefined ? {} : { hostnames: [...patch.hostnames] }),
        ...(corpus === undefined ? {} : { corpus }),
      };
      const sites = [...stored(directory).filter((s) => s.id !== id), site];
      validSites(sites);
      await writeSites(c.env, actorOf(principalOf(c)), "site.update", `site:${id}`, sites, old);
      return c.json(site, 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      summary: "Remove a site: its hostnames fall back to the default site; its entries and history are kept (not deleted)",
      ...secured("admin"),
      request: { params: IdParams },
      responses: {
        200: json(OkSchema, "removed"),
        404: NOT_FOUND,
        409: json(z.object({ error: z.string(), message: z.string() }), "`default_site`"),
        ...ERROR_RESPONSES,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      if (id === DEFAULT_SITE_ID) throw new AppError(409, "default_site", "the default site always exists");
      const directory = await readSites(c.env.BLOCKLIST);
      const old = directory.get(id);
      if (old === undefined) throw new AppError(404, "unknown_site", `no site "${id}"`);
      await writeSites(
        c.env,
        actorOf(principalOf(c)),
        "site.delete",
        `site:${id}`,
        stored(directory).filter((s) => s.id !== id),
        old,
      );
      return c.json({ ok: true as const }, 200);
    },
  );
