// Sites: one deployment in front of several sites, each a set of hostnames with its own policy, blocklist, counters
// and dashboard view. The default site always exists and takes every host no other site claims, so a single-site
// deployment needs no configuration at all.
import { z } from "zod";

/** The site that owns every host no other site claims; its keys are the unprefixed keys of a single-site deployment. */
export const DEFAULT_SITE_ID = "default";

/** A site id: a lower-case slug (it becomes part of KV keys and Durable Object names). */
export const SiteIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "a site id is lower-case letters, digits and dashes (at most 63), starting with a letter or digit");

/** A hostname as a route pattern takes it: lower case, dot-separated labels, optionally a leading `*.` wildcard. */
export const HOSTNAME_PATTERN = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
export const HostnameSchema = z.string().max(253).regex(HOSTNAME_PATTERN, "a hostname such as blog.example.com or *.example.com");

/** A trained Markov corpus's name (`npm run train:markov -- --corpus NAME`, which checks it with this schema too). */
export const CorpusNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "a corpus name is lower-case letters, digits, dashes and underscores (at most 64)");

export const SiteSchema = z.strictObject({
  id: SiteIdSchema,
  name: z.string().trim().min(1).max(100),
  hostnames: z.array(HostnameSchema).max(100),
  /** The Markov corpus the tarpit writes this site's labyrinth from; absent: the deployment's (`MARKOV_CORPUS`). */
  corpus: CorpusNameSchema.optional(),
});
export type Site = z.infer<typeof SiteSchema>;

/** What the edge does with a host no site claims: the default site takes it, or (strict) it is refused. */
export const UnknownHostsSchema = z.enum(["default", "refuse"]);
export type UnknownHosts = z.infer<typeof UnknownHostsSchema>;

/** The KV document admin writes and every edge isolate reads (`kvKeys.sites`). */
export const SitesDocumentSchema = z.strictObject({
  v: z.literal(1),
  sites: z.array(SiteSchema).max(1000),
  unknownHosts: UnknownHostsSchema.optional(),
});
export type SitesDocument = z.infer<typeof SitesDocumentSchema>;

/** The default site as it is when nobody configured it: no hostnames of its own, every unclaimed host. */
export const DEFAULT_SITE: Site = { id: DEFAULT_SITE_ID, name: "Default site", hostnames: [] };

/** True when one hostname pattern matches a name the other matches too (`*.a.com` covers `x.a.com`, not `a.com`). */
export function hostnamesOverlap(a: string, b: string): boolean {
  if (a === b) return true;
  const covers = (wild: string, host: string) => wild.startsWith("*.") && host.endsWith(wild.slice(1));
  return covers(a, b) || covers(b, a);
}

/**
 * What is wrong with a set of sites, one sentence each naming the sites and hostnames involved: ids used twice and
 * overlapping hostnames (within a site or across sites, wildcards included). The one validator: deploy's site config
 * and admin's `/api/sites` both use it.
 */
export function siteProblems(sites: readonly { readonly id: string; readonly hostnames: readonly string[] }[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const site of sites) {
    if (ids.has(site.id)) problems.push(`site "${site.id}" is listed twice`);
    ids.add(site.id);
  }
  const all = sites.flatMap((site) => site.hostnames.map((host) => ({ site: site.id, host })));
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const a = all[i];
      const b = all[j];
      if (a === undefined || b === undefined || !hostnamesOverlap(a.host, b.host)) continue;
      if (a.host !== b.host)
        problems.push(
          `hostnames overlap: ${a.host} (site ${a.site}) and ${b.host} (site ${b.site}) both match ${a.host.startsWith("*.") ? b.host : a.host}`,
        );
      else if (a.site === b.site) problems.push(`hostname ${a.host} overlaps: listed twice in site ${a.site}`);
      else problems.push(`hostname ${a.host} overlaps: listed in site ${a.site} and in site ${b.site}`);
    }
  }
  return problems;
}

/** The host of a Host header or URL authority, lower case, without port or trailing dot (`[::1]:8787` → `[::1]`). */
export function bareHost(authority: string): string {
  const lower = authority.trim().toLowerCase();
  const host = lower.startsWith("[") ? lower.slice(0, lower.indexOf("]") + 1) : lower.replace(/:\d*$/, "");
  return host.endsWith(".") ? host.slice(0, -1) : host;
}

/**
 * Resolves a request's host to its site: an exact hostname first, then the longest `*.` wildcard that covers it, else
 * the default site. Built once per sites document; a lookup is one Map probe per label of the host.
 */
export class SiteDirectory {
  readonly #byId = new Map<string, Site>();
  readonly #exact = new Map<string, Site>();
  /** Wildcard suffixes (`.example.org`) to their site. */
  readonly #wild = new Map<string, Site>();

  private constructor(
    sites: readonly Site[],
    /** What a host no site claims gets (the default site's own hostnames are claimed). */
    readonly unknownHosts: UnknownHosts = "default",
  ) {
    for (const site of sites) {
      this.#byId.set(site.id, site);
      for (const host of site.hostnames) {
        if (host.startsWith("*.")) this.#wild.set(host.slice(1), site);
        else this.#exact.set(host, site);
      }
    }
    if (!this.#byId.has(DEFAULT_SITE_ID)) this.#byId.set(DEFAULT_SITE_ID, DEFAULT_SITE);
  }

  /** A directory of valid sites; the problems (as `siteProblems` words them) when they are not. */
  static of(
    sites: readonly Site[],
    unknownHosts: UnknownHosts = "default",
  ): { ok: true; value: SiteDirectory } | { ok: false; error: string } {
    const problems = siteProblems(sites);
    return problems.length === 0 ? { ok: true, value: new SiteDirectory(sites, unknownHosts) } : { ok: false, error: problems.join("; ") };
  }

  /** The single-site deployment: only the default site. */
  static single(): SiteDirectory {
    return new SiteDirectory([]);
  }

  /** Every site, the default first, then by id. */
  get sites(): Site[] {
    return [...this.#byId.values()].sort((a, b) => (a.id === DEFAULT_SITE_ID ? -1 : b.id === DEFAULT_SITE_ID ? 1 : a.id < b.id ? -1 : 1));
  }

  /** The site of that id, or undefined. */
  get(id: string): Site | undefined {
    return this.#byId.get(id);
  }

  /** The site a request for `authority` (a Host header or URL host, port allowed) belongs to. */
  resolve(authority: string): Site {
    return this.claimant(authority) ?? this.#byId.get(DEFAULT_SITE_ID) ?? DEFAULT_SITE;
  }

  /** The site whose hostnames cover `authority`, or null when none does (the default site then takes it, or refuses). */
  claimant(authority: string): Site | null {
    const host = bareHost(authority);
    const exact = this.#exact.get(host);
    if (exact !== undefined) return exact;
    // Longest wildcard first: `.a.b.example.org`, then `.b.example.org`, ….
    for (let dot = host.indexOf("."); dot !== -1; dot = host.indexOf(".", dot + 1)) {
      const site = this.#wild.get(host.slice(dot));
      if (site !== undefined) return site;
    }
    return null;
  }
}

/** Parses a sites document (KV text); the error names the problem. Absent (null) is the single-site deployment. */
export function parseSitesDocument(text: string | null): { ok: true; value: SiteDirectory } | { ok: false; error: string } {
  if (text === null) return { ok: true, value: SiteDirectory.single() };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `sites document is not JSON: ${(error as Error).message}` };
  }
  const parsed = SitesDocumentSchema.safeParse(json);
  if (!parsed.success) return { ok: false, error: `sites document is invalid:\n${z.prettifyError(parsed.error)}` };
  return SiteDirectory.of(parsed.data.sites, parsed.data.unknownHosts);
}
