import { escapeHtml } from "../../core/text";
/** The site's name, shown in the header, titles and feed. */
export const SITE_NAME = "Atlas Notes";
const SITE_TAGLINE = "Country profiles from The World Factbook";

export { escapeHtml };

/** "2024-12-14T04:38:00Z" → "14 December 2024", without locale data so every machine agrees. */
export function formatDate(iso: string): string {
  const months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
  const [year, month, day] = iso.slice(0, 10).split("-").map(Number);
  return `${day} ${months[(month ?? 1) - 1]} ${year}`;
}

/** A `<time>` element for an ISO timestamp. */
export function timeTag(iso: string): string {
  return `<time datetime="${escapeHtml(iso)}">${formatDate(iso)}</time>`;
}

export type Shell = {
  readonly title: string; // page title without the site name
  readonly description: string;
  readonly path: string | null; // the page's own path, for the canonical link and the current nav item
  readonly main: string; // trusted HTML: the caller escapes
};

const NAV: readonly (readonly [string, string])[] = [
  ["/", "Latest"],
  ["/regions", "Regions"],
  ["/tags", "Topics"],
  ["/about", "About"],
];

/** Wraps a page's main content in the shared head, header and footer. */
export function renderShell(page: Shell): string {
  const nav = NAV.map(([href, label]) => {
    const current = href === page.path ? ' aria-current="page"' : "";
    return `<li><a href="${href}"${current}>${label}</a></li>`;
  }).join("");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)} | ${SITE_NAME}</title>
<meta name="description" content="${escapeHtml(page.description)}">
${page.path === null ? "" : `<link rel="canonical" href="${escapeHtml(page.path)}">\n`}<link rel="stylesheet" href="/static/site.css">
<link rel="icon" href="/favicon.ico" sizes="16x16">
<link rel="icon" href="/static/logo.svg" type="image/svg+xml">
<link rel="alternate" type="application/atom+xml" title="${SITE_NAME}" href="/feed.xml">
</head>
<body>
<header class="site-header">
<a class="brand" href="/"><img src="/static/logo.svg" alt="" width="32" height="32"> ${SITE_NAME}</a>
<p class="tagline">${SITE_TAGLINE}</p>
<nav aria-label="Main"><ul>${nav}</ul></nav>
</header>
<main>
${page.main}
</main>
<footer class="site-footer">
<p>Text from <cite>The World Factbook</cite> (Central Intelligence Agency), in the public domain.</p>
<p><a href="/feed.xml">Atom feed</a> · <a href="/sitemap.xml">Sitemap</a> · <a href="/about">About this site</a></p>
</footer>
</body>
</html>
`;
}
