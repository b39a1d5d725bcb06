// The site config (edge-guard.sites.json): which hostnames, in which Cloudflare zones, edge-guard guards. The deploy
// turns it into the guarding Worker's routes and smoke-checks each site. Bad input is refused with the problem named.
import { z } from "zod";
import { HOSTNAME_PATTERN as HOSTNAME, siteProblems as siteOverlaps, type SitesDocument } from "../../core/sites";

const SiteSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "a site name is lower-case letters, digits and dashes"),
  zone: z.string().regex(HOSTNAME, "a zone is a domain name such as example.com"),
  hostnames: z.array(z.string().regex(HOSTNAME, "a hostname such as blog.example.com or *.example.com")).min(1),
  /** A path on the site that the origin answers with 200 for the smoke check (default "/"). */
  smokePath: z.string().startsWith("/").default("/"),
});

export const SitesSchema = z.strictObject({
  /** The Worker that takes the routes (default: edge-guard). */
  worker: z.string().default("edge-guard"),
  /** The admin Worker, whose /healthz the smoke check asks (default: edge-guard-admin). */
  admin: z.string().default("edge-guard-admin"),
  /** The admin Worker's base URL for the health check; default: the workers.dev URL its deploy prints. */
  adminUrl: z.url().optional(),
  sites: z.array(SiteSchema).min(1),
  /** A host no site names: the default site takes it (default), or the edge refuses it with 421 ("refuse"). */
  unknownHosts: z.enum(["default", "refuse"]).default("default"),
});

export type Site = z.infer<typeof SiteSchema>;
export type SitesConfig = z.infer<typeof SitesSchema>;

/** One route the guarding Worker gets: every path of one hostname, in its zone. */
export interface Route {
  readonly pattern: string;
  readonly zone_name: string;
}

/** Parses and checks a site config's text; the error names the file and the problem (field path, overlap, zone). */
export function parseSites(text: string, file: string): { ok: true; value: SitesConfig } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `${file} is not valid JSON: ${(error as Error).message}` };
  }
  const parsed = SitesSchema.safeParse(json);
  if (!parsed.success) return { ok: false, error: `${file} is invalid:\n${z.prettifyError(parsed.error)}` };
  const problems = siteProblems(parsed.data);
  return problems.length === 0
    ? { ok: true, value: parsed.data }
    : { ok: false, error: `${file} is invalid:\n${problems.map((p) => `  ✖ ${p}`).join("\n")}` };
}

/** Overlapping hostnames and duplicate names (core/sites.ts, the one validator), and hostnames outside their zone. */
export function siteProblems(config: SitesConfig): string[] {
  const problems: string[] = [];
  for (const site of config.sites) {
    for (const host of site.hostnames) {
      const bare = host.replace(/^\*\./, "");
      if (bare !== site.zone && !bare.endsWith(`.${site.zone}`))
        problems.push(`sites.${site.name}: hostname ${host} is not in its zone ${site.zone}`);
    }
  }
  return [...siteOverlaps(config.sites.map((site) => ({ id: site.name, hostnames: site.hostnames }))), ...problems];
}

/** The sites document the edge reads (KV `sites:directory`), seeded from the site config by the deploy. */
export function sitesDocumentOf(config: SitesConfig): SitesDocument {
  return {
    v: 1,
    sites: config.sites.map((site) => ({ id: site.name, name: site.name, hostnames: site.hostnames })),
    ...(config.unknownHosts === "refuse" ? { unknownHosts: "refuse" as const } : {}),
  };
}

/** The routes of a site config: `<hostname>/*` in the site's zone, in the config's order. */
export function routesOf(config: SitesConfig): Route[] {
  return config.sites.flatMap((site) => site.hostnames.map((host) => ({ pattern: `${host}/*`, zone_name: site.zone })));
}
