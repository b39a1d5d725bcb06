// The dev stack's two demo sites: two hostnames served by the same edge, each with its own robots.txt, banner and
// policy, so multi-site can be tried locally (`curl -H 'Host: blog.localhost' …`, or Chromium at blog.localhost:8787).
import type { Site, SitesDocument } from "../core/sites";

export interface DemoSite extends Site {
  /** The origin's robots.txt for this site's hosts. */
  readonly robots: string;
  /** The policy the stack seeds for it on first start. */
  readonly policy: Readonly<Record<string, unknown>>;
}

export const DEMO_SITES: readonly DemoSite[] = [
  {
    id: "blog",
    name: "Demo blog",
    hostnames: ["blog.localhost"],
    robots: "User-agent: *\nDisallow: /drafts/\n",
    // Watches only: what a new site does first (the dashboard shows what enforce would have done).
    policy: { version: 1, preset: "moderate", mode: "observe", rules: [] },
  },
  {
    id: "forge",
    name: "Demo forge",
    hostnames: ["forge.localhost", "*.forge.localhost"],
    robots: "User-agent: *\nDisallow: /archive/\nDisallow: /search\n",
    // Stricter: lower thresholds, enforced.
    policy: { version: 1, preset: "aggressive", mode: "enforce", rules: [] },
  },
];

/** The sites document the stack seeds (the edge resolves hosts with it; every other host is the default site's). */
export const DEMO_SITES_DOCUMENT: SitesDocument = {
  v: 1,
  sites: DEMO_SITES.map(({ id, name, hostnames }) => ({ id, name, hostnames: [...hostnames] })),
};

/** The origin's robots.txt per demo hostname (exact hostnames only). */
export const DEMO_ROBOTS: Readonly<Record<string, string>> = Object.fromEntries(
  DEMO_SITES.flatMap((site) => site.hostnames.filter((h) => !h.startsWith("*.")).map((h) => [h, site.robots])),
);

/** The banner the origin puts at the top of each demo site's HTML pages, by hostname. */
export const DEMO_BANNERS: Readonly<Record<string, string>> = Object.fromEntries(
  DEMO_SITES.flatMap((site) => site.hostnames.filter((h) => !h.startsWith("*.")).map((h) => [h, site.name])),
);
