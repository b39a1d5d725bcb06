import type { Article } from "./articles";
import { SITE_NAME } from "./html";
import { articlePath, tagPath } from "./pages";

/** Ids must not change when the site moves host or port, so they are tag URIs (RFC 4151), not URLs. */
const ID_AUTHORITY = "tag:atlas-notes.example,2019";

/** A page listed in the sitemap; `lastModified` is ISO 8601. */
export type SitemapEntry = { readonly path: string; readonly lastModified: string };

/** Escapes text for XML content and double-quoted attributes. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[char] ?? char);
}

/** An Atom 1.0 feed (RFC 4287) of `articles`, newest first; links are absolute under `baseUrl` (no trailing slash). */
export function renderAtomFeed(articles: readonly Article[], baseUrl: string): string {
  const updated = articles[0]?.publishedAt ?? "2019-01-01T00:00:00Z";
  const entries = articles.map(
    (article) => `<entry>
<id>${ID_AUTHORITY}:articles/${escapeXml(article.slug)}</id>
<title>${escapeXml(article.title)}</title>
<link rel="alternate" type="text/html" href="${escapeXml(baseUrl + articlePath(article))}"/>
<published>${article.publishedAt}</published>
<updated>${article.publishedAt}</updated>
<summary>${escapeXml(article.summary)}</summary>
${article.tags.map((tag) => `<category term="${escapeXml(tag)}" scheme="${escapeXml(`${baseUrl}${tagPath("")}`)}"/>`).join("\n")}
</entry>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<id>${ID_AUTHORITY}:feed</id>
<title>${escapeXml(SITE_NAME)}</title>
<subtitle>Country profiles from The World Factbook</subtitle>
<updated>${updated}</updated>
<author><name>${escapeXml(SITE_NAME)} editors</name></author>
<link rel="self" type="application/atom+xml" href="${escapeXml(`${baseUrl}/feed.xml`)}"/>
<link rel="alternate" type="text/html" href="${escapeXml(`${baseUrl}/`)}"/>
<rights>Public domain: text from The World Factbook, Central Intelligence Agency</rights>
${entries.join("\n")}
</feed>
`;
}

/** A sitemaps.org urlset with absolute URLs under `baseUrl`. */
export function renderSitemap(entries: readonly SitemapEntry[], baseUrl: string): string {
  const urls = entries.map(
    (entry) => `<url><loc>${escapeXml(baseUrl + entry.path)}</loc><lastmod>${entry.lastModified.slice(0, 10)}</lastmod></url>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${urls.join("\n")}
</urlset>
`;
}

/** robots.txt that allows everything and points at the sitemap. */
export function renderRobots(baseUrl: string): string {
  return `User-agent: *\nAllow: /\n\nSitemap: ${baseUrl}/sitemap.xml\n`;
}
