/**
 * Synthetic request sequences for the seed dataset: how people and bots move through the demo site (dev/origin).
 * Hand-set behaviour, real paths. Used only by scripts/model/make-seed-dataset.ts.
 */
import { buildSite } from "../../dev/origin/site";
import { CHALLENGE_BASE } from "../../workers/edge-guard/challenge-assets";
import { TRAP_PATH_PREFIX } from "../../core/trap-paths";
import type { SeededRandom } from "./seeded-random";

/** One request of a synthetic client. */
export interface Hit {
  readonly at: number;
  readonly path: string;
}

/** The demo site's paths, by kind. */
export interface SitePaths {
  readonly articles: readonly string[];
  readonly indexPages: readonly string[];
  readonly tags: readonly string[];
  readonly regions: readonly string[];
  readonly other: readonly string[];
}

const ASSETS = { css: "/static/site.css", logo: "/static/logo.svg", map: "/static/map.png", favicon: "/favicon.ico" } as const;

/** Reads the demo site's page list (builds the site in memory, about a second). */
export function demoSitePaths(): SitePaths {
  const paths = [...buildSite().pages.keys()];
  return {
    articles: paths.filter((p) => p.startsWith("/articles/")),
    indexPages: ["/", ...paths.filter((p) => /^\/page\/\d+$/.test(p) && p !== "/page/1")],
    tags: paths.filter((p) => p.startsWith("/tags/")),
    regions: paths.filter((p) => p.startsWith("/regions/")),
    other: ["/tags", "/regions", "/about"],
  };
}

/** How a browser loads a page's subresources: all of them, stylesheet only, or none (a scraper). */
export type AssetMode = "browser" | "css-only" | "none";

function pageWithAssets(r: SeededRandom, path: string, at: number, mode: AssetMode, cached: Set<string>): Hit[] {
  const hits: Hit[] = [{ at, path }];
  if (mode === "none") return hits;
  const wanted: string[] = mode === "css-only" ? [ASSETS.css] : [ASSETS.css, ASSETS.logo, ASSETS.favicon];
  if (mode === "browser" && path.startsWith("/articles/") && r.chance(0.6)) wanted.push(ASSETS.map);
  let t = at;
  for (const asset of wanted) {
    if (cached.has(asset)) continue;
    cached.add(asset);
    t += r.int(20, 250);
    hits.push({ at: t, path: asset });
  }
  return hits;
}

function nextPage(r: SeededRandom, site: SitePaths, current: string): string {
  const roll = r.next();
  if (current.startsWith("/articles/"))
    return roll < 0.6 ? r.pick(site.articles) : roll < 0.75 ? r.pick(site.tags) : roll < 0.85 ? r.pick(site.regions) : "/";
  if (current === "/" || current.startsWith("/page/"))
    return roll < 0.8 ? r.pick(site.articles) : roll < 0.9 ? r.pick(site.indexPages) : r.pick(site.other);
  return roll < 0.85 ? r.pick(site.articles) : r.pick(site.other);
}

/** Where the challenge page posts its answer (workers/edge-guard/challenge.ts). */
export const CHALLENGE_VERIFY_PATH = `${CHALLENGE_BASE}/verify`;

/** How one person reads, beyond the asset mode (every field has a default). */
export interface ReadingOptions {
  /** Chance that a prefetcher or an extension follows one hidden trap link after a page. */
  readonly trap?: number;
  /** Chance of a returning visitor with every asset cached. */
  readonly warmCache?: number;
  /** The edge challenges the first page: the browser posts the answer, then loads that page again. */
  readonly solvesChallenge?: boolean;
}

/**
 * A person reading: an entry page (home, an article or a listing from a search or a shared link), then links, with
 * reading time between pages. A returning visitor (`warmCache`) has the stylesheet and images cached and loads no
 * asset at all.
 */
export function humanSession(r: SeededRandom, site: SitePaths, start: number, assets: AssetMode, options: ReadingOptions = {}): Hit[] {
  const { trap = 0, warmCache = 0.4, solvesChallenge = false } = options;
  const pages = r.logNormalCount(5, 0.8, 1);
  const cached = new Set<string>(r.chance(warmCache) ? Object.values(ASSETS) : []);
  const hits: Hit[] = [];
  const entry = r.next();
  let path = entry < 0.4 ? "/" : entry < 0.76 ? r.pick(site.articles) : entry < 0.88 ? r.pick(site.tags) : r.pick(site.indexPages.slice(1));
  let at = start;
  if (solvesChallenge) {
    hits.push({ at, path }, { at: at + r.int(1_000, 4_000), path: CHALLENGE_VERIFY_PATH });
    at += r.int(4_000, 6_000);
  }
  for (let i = 0; i < Math.min(pages, 30); i++) {
    hits.push(...pageWithAssets(r, path, at, assets, cached));
    // A prefetcher or an extension follows one hidden link: one trap hit right after the page, never deeper.
    if (trap > 0 && r.chance(trap)) hits.push({ at: at + r.int(300, 1500), path: trapPath(r) });
    at += r.logNormalCount(25_000, 0.9, 3_000);
    path = nextPage(r, site, path);
  }
  return hits;
}

/** A crawler: maybe robots.txt and the sitemap first, then articles in list or random order, no pause to read. */
export function crawlerSession(
  r: SeededRandom,
  site: SitePaths,
  start: number,
  options: {
    readonly gapMs: number;
    readonly assets: AssetMode;
    readonly robots: number;
    readonly sitemap: number;
    readonly trapDepth: number;
  },
): Hit[] {
  const hits: Hit[] = [];
  const cached = new Set<string>();
  let at = start;
  const push = (path: string) => {
    hits.push(...pageWithAssets(r, path, at, options.assets, cached));
    at += r.logNormalCount(options.gapMs, 0.6, 50);
  };
  if (r.chance(options.robots)) push("/robots.txt");
  const viaSitemap = r.chance(options.sitemap);
  if (viaSitemap) push("/sitemap.xml");
  const order = viaSitemap ? site.articles : [...site.indexPages.slice(0, r.int(1, 4)), ...site.articles];
  const offset = r.int(0, site.articles.length - 1);
  const count = r.logNormalCount(25, 0.8, 3);
  for (let i = 0; i < count; i++) push(viaSitemap && r.chance(0.5) ? r.pick(order) : (order[(offset + i) % order.length] ?? "/"));
  for (let i = 0; i < options.trapDepth; i++) push(trapPath(r));
  return hits;
}

function trapPath(r: SeededRandom): string {
  return `${TRAP_PATH_PREFIX}${r.int(1000, 9999)}/entry-${r.int(1, 99)}`;
}

/** Several sessions from one address (people behind a NAT), in time order. */
export function interleave(sessions: readonly Hit[][]): Hit[] {
  return sessions.flat().sort((a, b) => a.at - b.at);
}
