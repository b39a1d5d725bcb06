import { buildArticles, relatedTo, type Article } from "./articles";
import { LOGO_SVG, renderFavicon, renderWorldMap, SITE_CSS } from "./assets";
import { loadProfiles, type Profile } from "./factbook";
import { renderAtomFeed, renderRobots, renderSitemap } from "./feed";
import {
  articlePath,
  indexPath,
  regionPath,
  renderAboutPage,
  renderArticlePage,
  renderIndexPage,
  renderNotFoundPage,
  renderRegionPage,
  renderRegionsPage,
  renderTagPage,
  renderTagsPage,
  tagPath,
} from "./pages";

/** A response body, or a function of the public base URL (e.g. "http://127.0.0.1:8787") for pages with absolute links. */
export type Body = string | Uint8Array | ((baseUrl: string) => string);

/** One servable resource. */
export type Page = {
  readonly status: number;
  readonly contentType: string;
  readonly body: Body;
  readonly lastModified: string; // ISO 8601
  readonly cacheControl: string;
  readonly location?: string; // for redirects
};

/** Every path the demo origin serves, plus the page for everything else. */
export type Site = { readonly pages: ReadonlyMap<string, Page>; readonly notFound: Page; readonly articleCount: number };

export const ARTICLES_PER_PAGE = 20;
export const FEED_ENTRIES = 20;
const RELATED_COUNT = 5;
const HTML = "text/html; charset=utf-8";
const HTML_CACHE = "public, max-age=300";
const ASSET_CACHE = "public, max-age=86400";
const FEED_CACHE = "public, max-age=900";

/** Builds the whole site in memory. Pure given the profiles: the same data always gives the same bytes. */
export function buildSite(profiles: readonly Profile[] = loadProfiles()): Site {
  const articles = buildArticles(profiles);
  const newest = articles[0]?.publishedAt ?? "2019-01-01T00:00:00Z";
  const pages = new Map<string, Page>();
  const html = (path: string, body: string, lastModified: string) =>
    pages.set(path, { status: 200, contentType: HTML, body, lastModified, cacheControl: HTML_CACHE });
  const newestOf = (list: readonly Article[]) => list[0]?.publishedAt ?? newest;

  const pageCount = Math.max(1, Math.ceil(articles.length / ARTICLES_PER_PAGE));
  for (let page = 1; page <= pageCount; page++) {
    const slice = articles.slice((page - 1) * ARTICLES_PER_PAGE, page * ARTICLES_PER_PAGE);
    html(indexPath(page), renderIndexPage(slice, { page, pages: pageCount }), newestOf(slice));
  }
  pages.set("/page/1", { status: 301, contentType: HTML, body: "", lastModified: newest, cacheControl: HTML_CACHE, location: "/" });

  articles.forEach((article, i) => {
    const neighbours = { newer: articles[i - 1], older: articles[i + 1] };
    html(articlePath(article), renderArticlePage(article, neighbours, relatedTo(article, articles, RELATED_COUNT)), article.publishedAt);
  });

  const byTag = groupBy(articles, (article) => article.tags);
  html("/tags", renderTagsPage(countsOf(byTag)), newest);
  for (const [tag, tagged] of byTag) html(tagPath(tag), renderTagPage(tag, tagged), newestOf(tagged));

  const byRegion = groupBy(articles, (article) => [article.region]);
  html("/regions", renderRegionsPage(countsOf(byRegion)), newest);
  for (const [region, inRegion] of byRegion) html(regionPath(region), renderRegionPage(region, inRegion), newestOf(inRegion));

  html("/about", renderAboutPage(articles.length), newest);

  const sitemap = [...pages]
    .filter(([, page]) => page.status === 200 && page.contentType === HTML)
    .map(([path, page]) => ({ path, lastModified: page.lastModified }));
  const latest = articles.slice(0, FEED_ENTRIES);
  const dynamic = (contentType: string, body: (baseUrl: string) => string) =>
    ({ status: 200, contentType, body, lastModified: newest, cacheControl: FEED_CACHE }) satisfies Page;
  pages.set(
    "/feed.xml",
    dynamic("application/atom+xml; charset=utf-8", (baseUrl) => renderAtomFeed(latest, baseUrl)),
  );
  pages.set(
    "/sitemap.xml",
    dynamic("application/xml; charset=utf-8", (baseUrl) => renderSitemap(sitemap, baseUrl)),
  );
  pages.set("/robots.txt", dynamic("text/plain; charset=utf-8", renderRobots));

  const asset = (contentType: string, body: string | Uint8Array) =>
    ({ status: 200, contentType, body, lastModified: newest, cacheControl: ASSET_CACHE }) satisfies Page;
  pages.set("/static/site.css", asset("text/css; charset=utf-8", SITE_CSS));
  pages.set("/static/logo.svg", asset("image/svg+xml", LOGO_SVG));
  pages.set("/static/map.png", asset("image/png", renderWorldMap(articles.flatMap((article) => article.coordinates ?? []))));
  pages.set("/favicon.ico", asset("image/x-icon", renderFavicon()));

  const notFound: Page = { status: 404, contentType: HTML, body: renderNotFoundPage(), lastModified: newest, cacheControl: "no-cache" };
  return { pages, notFound, articleCount: articles.length };
}

// Keys sorted, values in the input's (newest-first) order.
function groupBy(articles: readonly Article[], keys: (article: Article) => readonly string[]): Map<string, Article[]> {
  const groups = new Map<string, Article[]>();
  for (const article of articles) {
    for (const key of keys(article)) {
      const group = groups.get(key);
      if (group === undefined) groups.set(key, [article]);
      else group.push(article);
    }
  }
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : 1)));
}

function countsOf(groups: ReadonlyMap<string, readonly Article[]>): Map<string, number> {
  return new Map([...groups].map(([key, list]) => [key, list.length]));
}
