import { REGION_NAMES, slugify, type Article } from "./articles";
import { escapeHtml, renderShell, SITE_NAME, timeTag } from "./html";

/** Where an index page sits in the pagination: 1-based. */
export type PageNumber = { readonly page: number; readonly pages: number };

/** "/" for the first index page, "/page/<n>" after it. */
export function indexPath(page: number): string {
  return page === 1 ? "/" : `/page/${page}`;
}

export const articlePath = (article: Article): string => `/articles/${article.slug}`;
export const tagPath = (tag: string): string => `/tags/${tag}`;
export const regionPath = (region: string): string => `/regions/${region}`;
const tagLabel = (tag: string) => tag.replace(/-/g, " ");
const regionName = (region: string) => REGION_NAMES[region] ?? region;

/** One page of the newest-first list of articles; the first also shows the world map. */
export function renderIndexPage(articles: readonly Article[], at: PageNumber): string {
  const intro =
    at.page === 1
      ? `<section class="intro">
<h1>Latest country profiles</h1>
<img class="map" src="/static/map.png" alt="Map of the world with a dot for every profile" width="360" height="180">
<p>Notes on every country, territory and ocean, from The World Factbook. Browse by <a href="/regions">region</a> or by <a href="/tags">topic</a>.</p>
</section>`
      : `<h1>Latest country profiles, page ${at.page} of ${at.pages}</h1>`;
  return renderShell({
    title: at.page === 1 ? "Latest country profiles" : `Latest country profiles, page ${at.page}`,
    description: `Country profiles from The World Factbook, newest first (page ${at.page} of ${at.pages}).`,
    path: indexPath(at.page),
    main: `${intro}
<ol class="cards">
${articles.map(renderCard).join("\n")}
</ol>
${renderPagination(at)}`,
  });
}

/** A full article with its key facts, sections, tags, neighbours in time and related articles. */
export function renderArticlePage(
  article: Article,
  neighbours: { readonly newer?: Article; readonly older?: Article },
  related: readonly Article[],
): string {
  const facts = article.facts
    .map((fact) => `<tr><th scope="row">${escapeHtml(fact.label)}</th><td>${escapeHtml(fact.value)}</td></tr>`)
    .join("\n");
  const toc = article.sections
    .map((section) => `<li><a href="#${slugify(section.heading)}">${escapeHtml(section.heading)}</a></li>`)
    .join("");
  const sections = article.sections
    .map((section) => {
      const blocks = section.blocks
        .map(
          (block) => `<p>${block.label === undefined ? "" : `<strong>${escapeHtml(block.label)}:</strong> `}${escapeHtml(block.text)}</p>`,
        )
        .join("\n");
      return `<section id="${slugify(section.heading)}">\n<h2>${escapeHtml(section.heading)}</h2>\n${blocks}\n</section>`;
    })
    .join("\n");
  const sequence = [
    neighbours.newer === undefined
      ? ""
      : `<a rel="prev" href="${articlePath(neighbours.newer)}">← ${escapeHtml(neighbours.newer.title)}</a>`,
    neighbours.older === undefined
      ? ""
      : `<a rel="next" href="${articlePath(neighbours.older)}">${escapeHtml(neighbours.older.title)} →</a>`,
  ].join(" ");
  return renderShell({
    title: article.title,
    description: article.summary,
    path: articlePath(article),
    main: `<article class="post">
<header>
<h1>${escapeHtml(article.title)}</h1>
<p class="meta">Published ${timeTag(article.publishedAt)} in <a href="${regionPath(article.region)}">${escapeHtml(regionName(article.region))}</a></p>
${renderTags(article.tags)}
</header>
<p class="lede">${escapeHtml(article.summary)}</p>
${facts === "" ? "" : `<table class="facts">\n<caption>Key facts</caption>\n${facts}\n</table>`}
<nav class="toc" aria-label="Contents"><ol>${toc}</ol></nav>
${sections}
<footer class="sequence">${sequence}</footer>
</article>
<aside class="related">
<h2>Related profiles</h2>
<ul>
${related.map((other) => `<li><a href="${articlePath(other)}">${escapeHtml(other.title)}</a> <span class="region">${escapeHtml(regionName(other.region))}</span></li>`).join("\n")}
</ul>
</aside>`,
  });
}

/** Every article carrying one tag, newest first. */
export function renderTagPage(tag: string, articles: readonly Article[]): string {
  return renderShell({
    title: `Topic: ${tagLabel(tag)}`,
    description: `${articles.length} country profiles tagged “${tagLabel(tag)}”.`,
    path: tagPath(tag),
    main: `<h1>Topic: ${escapeHtml(tagLabel(tag))}</h1>
<p>${articles.length} profiles. <a href="/tags">All topics</a></p>
<ol class="cards">
${articles.map(renderCard).join("\n")}
</ol>`,
  });
}

/** All tags with their article counts, alphabetically. */
export function renderTagsPage(counts: ReadonlyMap<string, number>): string {
  const items = [...counts].map(
    ([tag, count]) => `<li><a href="${tagPath(tag)}" rel="tag">${escapeHtml(tagLabel(tag))}</a> <span class="count">${count}</span></li>`,
  );
  return renderShell({
    title: "Topics",
    description: "Every topic used to tag the country profiles.",
    path: "/tags",
    main: `<h1>Topics</h1>\n<ul class="tag-cloud">\n${items.join("\n")}\n</ul>`,
  });
}

/** A region's articles alphabetically, with the map. */
export function renderRegionPage(region: string, articles: readonly Article[]): string {
  const sorted = [...articles].sort((a, b) => (a.title < b.title ? -1 : a.title > b.title ? 1 : 0));
  return renderShell({
    title: regionName(region),
    description: `${articles.length} country profiles in ${regionName(region)}.`,
    path: regionPath(region),
    main: `<h1>${escapeHtml(regionName(region))}</h1>
<img class="map" src="/static/map.png" alt="Map of the world" width="360" height="180">
<p>${articles.length} profiles. <a href="/regions">All regions</a></p>
<ol class="cards">
${sorted.map(renderCard).join("\n")}
</ol>`,
  });
}

/** The list of regions with their article counts. */
export function renderRegionsPage(counts: ReadonlyMap<string, number>): string {
  const items = [...counts].map(
    ([region, count]) =>
      `<li><a href="${regionPath(region)}">${escapeHtml(regionName(region))}</a> <span class="count">${count}</span></li>`,
  );
  return renderShell({
    title: "Regions",
    description: "Country profiles grouped by region.",
    path: "/regions",
    main: `<h1>Regions</h1>\n<ul class="regions">\n${items.join("\n")}\n</ul>`,
  });
}

/** A short page about the site and its source. */
export function renderAboutPage(articleCount: number): string {
  return renderShell({
    title: "About",
    description: `About ${SITE_NAME}.`,
    path: "/about",
    main: `<h1>About ${SITE_NAME}</h1>
<p>${SITE_NAME} republishes ${articleCount} profiles from <cite>The World Factbook</cite>, a public-domain reference published by the Central Intelligence Agency.
Each profile covers background, geography, people, government, economy and transnational issues.</p>
<p>New profiles appear in the <a href="/feed.xml">Atom feed</a>; every page is listed in the <a href="/sitemap.xml">sitemap</a>.</p>`,
  });
}

/** The body of every 404. */
export function renderNotFoundPage(): string {
  return renderShell({
    title: "Page not found",
    description: "There is no page at this address.",
    path: null,
    main: `<h1>Page not found</h1>\n<p>There is no page at this address. Try the <a href="/">latest profiles</a> or the list of <a href="/regions">regions</a>.</p>`,
  });
}

function renderCard(article: Article): string {
  return `<li class="card">
<h2><a href="${articlePath(article)}">${escapeHtml(article.title)}</a></h2>
<p class="meta">${timeTag(article.publishedAt)} · <a href="${regionPath(article.region)}">${escapeHtml(regionName(article.region))}</a></p>
<p>${escapeHtml(article.summary)}</p>
${renderTags(article.tags)}
</li>`;
}

function renderTags(tags: readonly string[]): string {
  if (tags.length === 0) return "";
  return `<ul class="tags">${tags.map((tag) => `<li><a href="${tagPath(tag)}" rel="tag">${escapeHtml(tagLabel(tag))}</a></li>`).join("")}</ul>`;
}

function renderPagination({ page, pages }: PageNumber): string {
  const numbers = Array.from({ length: pages }, (_, i) => i + 1)
    .map((n) => (n === page ? `<li><span aria-current="page">${n}</span></li>` : `<li><a href="${indexPath(n)}">${n}</a></li>`))
    .join("");
  const newer = page > 1 ? `<a rel="prev" href="${indexPath(page - 1)}">← Newer</a>` : "";
  const older = page < pages ? `<a rel="next" href="${indexPath(page + 1)}">Older →</a>` : "";
  return `<nav class="pagination" aria-label="Pages">${newer}<ol>${numbers}</ol>${older}</nav>`;
}
