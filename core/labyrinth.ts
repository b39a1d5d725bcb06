import { fakeAssetHref } from "./fake-assets";
import {
  classNames,
  dateStyle,
  escapeHtml,
  hex8,
  mazeLinks,
  phrase,
  pick,
  selector,
  slugify,
  type ClassNames,
  type MazeLinks,
  type PageDate,
} from "./labyrinth-kit";
import { createRandom, generateParagraph, generateWords, randomInt, type MarkovChain, type Random } from "./markov";
import { TRAP_PATH_PREFIX } from "./trap-paths";

/** Options of a labyrinth page. `secret` salts the seed so that pages cannot be predicted off-site. */
export interface LabyrinthOptions {
  readonly secret?: string;
  readonly siteName?: string;
  /** Link to fake JS bundles and data archives (core/fake-assets.ts) as well as to pages: plain `<a href>` only. */
  readonly fakeAssets?: boolean;
}

/** The robots meta tag every labyrinth page carries (the response also has `X-Robots-Tag`). */
export const LABYRINTH_ROBOTS_META = '<meta name="robots" content="noindex, nofollow">';

const DEFAULT_SITE_NAME = "Regional Survey Archive";

interface Page {
  readonly chain: MarkovChain;
  readonly random: Random;
  readonly cls: ClassNames;
  readonly links: MazeLinks;
  readonly date: (random: Random) => PageDate;
  readonly fakeAssets: boolean;
}

/**
 * Renders one page of the maze: Markov prose, deterministic for a (path, secret) pair, with links only to
 * further paths under TRAP_PATH_PREFIX. Layout, section order, nesting, class names and date style are drawn
 * from the same seed, so one template fingerprint does not match every page. Marked noindex, nofollow. Nothing
 * on it loads by itself (no script, image, stylesheet, frame or prefetch): only `<a href>` leads into the maze.
 */
export function renderLabyrinthPage(chain: MarkovChain, path: string, options: LabyrinthOptions = {}): string {
  const seed = `${options.secret ?? ""}\u0000${path}`;
  const random = createRandom(seed);
  const page: Page = {
    chain,
    random,
    cls: classNames(random, seed),
    links: mazeLinks(chain, random, seed),
    date: dateStyle(random),
    fakeAssets: options.fakeAssets ?? false,
  };
  const site = escapeHtml(options.siteName ?? DEFAULT_SITE_NAME);
  const title = phrase(chain, random, 3, 8, "Archive");
  const listing = random() < 0.25;
  const main = listing ? listingBody(page, title) : articleBody(page, title);
  const side = aside(page);
  const blocks = [header(page, site), nav(page), random() < 0.5 ? breadcrumb(page, title) : ""];
  const layout = randomInt(random, 0, 2);
  const columns = layout === 0 ? [main, side] : layout === 1 ? [side, main] : [main];
  blocks.push(wrap(page, `<main class="${page.cls("main")}">\n${columns.join("\n")}\n</main>`, randomInt(random, 0, 2)));
  if (layout === 2) blocks.push(side);
  if (random() < 0.45) blocks.push(pagination(page, path));
  if (page.fakeAssets && random() < 0.5) blocks.push(downloads(page));
  blocks.push(footer(page, site));
  return `<!DOCTYPE html>
<html lang="${pick(random, ["en", "en-GB", "en-US"])}">
${head(page, title, site)}
<body class="${page.cls(pick(random, ["page", "layout", "site", "body"]))}">
${wrap(page, blocks.filter((b) => b !== "").join("\n"), randomInt(random, 0, 2))}
</body>
</html>
`;
}

function head(page: Page, title: string, site: string): string {
  const { random, cls } = page;
  const t = escapeHtml(title);
  const full = pick(random, [`${t} | ${site}`, `${t} – ${site}`, `${site}: ${t}`, t]);
  const lines = [
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    LABYRINTH_ROBOTS_META,
    `<title>${full}</title>`,
    `<meta name="description" content="${escapeHtml(phrase(page.chain, random, 8, 16, title))}">`,
  ];
  const font = pick(random, [
    "Georgia,serif",
    "system-ui,sans-serif",
    "'Helvetica Neue',Arial,sans-serif",
    "Charter,'Bitstream Charter',serif",
  ]);
  const ink = pick(random, ["#222", "#1b1f24", "#2d2a26", "#111827"]);
  const accent = pick(random, ["#1a4f8b", "#8b1a1a", "#0f766e", "#6d28d9", "#b45309"]);
  const width = randomInt(random, 40, 72);
  lines.push(
    `<style>body{font:${randomInt(random, 15, 18)}px/1.${randomInt(random, 4, 7)} ${font};color:${ink};margin:0}` +
      `${selector(cls("main"))}{max-width:${width}rem;margin:${randomInt(random, 1, 3)}rem auto;padding:0 1rem}a{color:${accent}}` +
      `${selector(cls("nav"))},${selector(cls("footer"))},${selector(cls("meta"))}{font-size:.${randomInt(random, 8, 9)}em;color:#666}` +
      `${selector(cls("aside"))}{border-top:1px solid #ddd;margin-top:2rem}</style>`,
    "</head>",
  );
  return lines.join("\n");
}

function header(page: Page, site: string): string {
  const tagline =
    page.random() < 0.4 ? `<p class="${page.cls("tagline")}">${escapeHtml(phrase(page.chain, page.random, 4, 9, ""))}</p>` : "";
  return `<header class="${page.cls("header")}"><a href="${TRAP_PATH_PREFIX}" class="${page.cls("brand")}">${site}</a>${tagline}</header>`;
}

function nav(page: Page): string {
  const count = randomInt(page.random, 4, 7);
  const items = Array.from({ length: count }, () => page.links.anchor());
  if (page.random() < 0.6) return `<nav class="${page.cls("nav")}"><ul>${items.map((a) => `<li>${a}</li>`).join("")}</ul></nav>`;
  return `<nav class="${page.cls("nav")}">${items.join(pick(page.random, [" · ", " | ", " "]))}</nav>`;
}

function breadcrumb(page: Page, title: string): string {
  const section = page.links.anchor();
  const sep = pick(page.random, [" › ", " / ", " » "]);
  return `<nav class="${page.cls("crumbs")}" aria-label="Breadcrumb"><a href="${TRAP_PATH_PREFIX}">Archive</a>${sep}${section}${sep}<span>${escapeHtml(title)}</span></nav>`;
}

function meta(page: Page): string {
  const date = page.date(page.random);
  const time = `<time datetime="${date.iso}">${date.text}</time>`;
  if (page.random() < 0.5)
    return `<p class="${page.cls("meta")}">${pick(page.random, ["Published", "Posted", "Updated", "Filed"])} ${time}</p>`;
  const author =
    generateWords(page.chain, page.random, 2)
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join(" ") || "Staff";
  return `<div class="${page.cls("meta")}"><span>By ${escapeHtml(author)}</span> · ${time}</div>`;
}

function paragraph(page: Page, sentencesMin: number, sentencesMax: number, className?: string): string {
  let text = escapeHtml(generateParagraph(page.chain, page.random, randomInt(page.random, sentencesMin, sentencesMax)));
  const inline = randomInt(page.random, 0, 2);
  for (let i = 0; i < inline; i++) text += ` ${pick(page.random, ["See also", "Compare", "More in", "Related:"])} ${page.links.anchor()}.`;
  return `<p${className ? ` class="${className}"` : ""}>${text}</p>`;
}

function articleBody(page: Page, title: string): string {
  const { random, cls } = page;
  const out = [`<h1 class="${cls("title")}">${escapeHtml(title)}</h1>`, meta(page)];
  if (random() < 0.5) out.push(paragraph(page, 2, 3, cls("lead")));
  const blocks = randomInt(random, 4, 9);
  for (let i = 0; i < blocks; i++) {
    const roll = random();
    if (i > 0 && roll < 0.3) out.push(`<h2>${escapeHtml(phrase(page.chain, random, 2, 6, "Notes"))}</h2>`);
    else if (i > 1 && roll < 0.38) out.push(`<h3>${escapeHtml(phrase(page.chain, random, 2, 5, "Details"))}</h3>`);
    else if (roll < 0.48) out.push(list(page));
    else if (roll < 0.54)
      out.push(`<blockquote class="${cls("quote")}">${escapeHtml(generateParagraph(page.chain, random, 1))}</blockquote>`);
    else if (roll < 0.62) out.push(table(page));
    out.push(paragraph(page, 3, 6));
  }
  const tag = pick(random, ["article", "article", "div", "section"]);
  return `<${tag} class="${cls("article")}">\n${out.join("\n")}\n</${tag}>`;
}

function listingBody(page: Page, title: string): string {
  const { random, cls } = page;
  const heading = pick(random, ["h2", "h3"]);
  const entries = Array.from({ length: randomInt(random, 5, 10) }, () => {
    const date = page.date(random);
    const more =
      random() < 0.5
        ? ` <a href="${page.links.href("read")}" class="${cls("more")}">${pick(random, ["Read more", "Continue reading", "Full entry"])}</a>`
        : "";
    return `<${heading}>${page.links.anchor()}</${heading}>\n<p class="${cls("excerpt")}"><time datetime="${date.iso}">${date.text}</time> ${escapeHtml(generateParagraph(page.chain, random, 2))}${more}</p>`;
  });
  return `<section class="${cls("listing")}">\n<h1 class="${cls("title")}">${escapeHtml(title)}</h1>\n${paragraph(page, 1, 2, cls("intro"))}\n${entries.join("\n")}\n</section>`;
}

function list(page: Page): string {
  const tag = page.random() < 0.7 ? "ul" : "ol";
  const items = Array.from({ length: randomInt(page.random, 3, 6) }, () =>
    page.random() < 0.4 ? `<li>${page.links.anchor()}</li>` : `<li>${escapeHtml(phrase(page.chain, page.random, 3, 9, "Item"))}</li>`,
  );
  return `<${tag}>${items.join("")}</${tag}>`;
}

function table(page: Page): string {
  const { random } = page;
  const label = escapeHtml(phrase(page.chain, random, 1, 3, "Value"));
  const start = randomInt(random, 1990, 2015);
  const rows = Array.from({ length: randomInt(random, 3, 7) }, (_, i) => {
    const value = (random() * 1000).toFixed(randomInt(random, 0, 2));
    return `<tr><td>${start + i}</td><td>${value}</td><td>${escapeHtml(phrase(page.chain, random, 1, 4, "n/a"))}</td></tr>`;
  });
  return `<table class="${page.cls("table")}"><thead><tr><th>Year</th><th>${label}</th><th>Note</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function aside(page: Page): string {
  const { random, cls } = page;
  const heading = pick(random, ["Related entries", "See also", "Most read", "In this section", "Further reading"]);
  const items = Array.from({ length: randomInt(random, 3, 8) }, () => `<li>${page.links.anchor()}</li>`);
  const tags =
    random() < 0.4
      ? `\n<p class="${cls("tags")}">${Array.from({ length: randomInt(random, 3, 6) }, () => page.links.anchor(cls("tag"))).join(" ")}</p>`
      : "";
  return `<aside class="${cls("aside")}">\n<h2>${heading}</h2>\n<ul>${items.join("\n")}</ul>${tags}\n</aside>`;
}

function pagination(page: Page, path: string): string {
  const label = pick(page.random, ["Next page", "Older entries", "Next »", "More"]);
  const prev =
    page.random() < 0.5
      ? `<a href="${page.links.href("previous")}" rel="prev">${pick(page.random, ["Previous", "« Newer", "Back"])}</a> `
      : "";
  return `<nav class="${page.cls("pagination")}">${prev}<a href="${page.links.next(path)}" rel="next">${label}</a></nav>`;
}

function downloads(page: Page): string {
  const { random } = page;
  const items = Array.from({ length: randomInt(random, 1, 3) }, () => {
    const words = generateWords(page.chain, random, randomInt(random, 2, 4));
    const size = `${randomInt(random, 12, 480)}.${randomInt(random, 0, 9)} MB`;
    return `<li><a href="${fakeAssetHref("archive", random, slugify(words))}">${escapeHtml(words.join(" ") || "Dataset")}</a> (tar.gz, ${size})</li>`;
  });
  return `<section class="${page.cls("downloads")}"><h2>${pick(random, ["Downloads", "Data files", "Source data"])}</h2><ul>${items.join("")}</ul></section>`;
}

function footer(page: Page, site: string): string {
  const { random } = page;
  const from = randomInt(random, 1998, 2012);
  const links = [
    `<a href="${TRAP_PATH_PREFIX}">${pick(random, ["Archive index", "All entries", "Index"])}</a>`,
    page.links.anchor(),
    page.links.anchor(),
  ];
  // A fake bundle only as a link a crawler chooses to follow: a `<script src>` would make every browser that
  // lands here fetch a trap URL on its own (see "no auto-fetch" in the README).
  if (page.fakeAssets)
    links.push(`<a href="${fakeAssetHref("script", random, "")}">${pick(random, ["Site scripts", "Source bundle", "Viewer (JS)"])}</a>`);
  return `<footer class="${page.cls("footer")}"><p>© ${from}–${randomInt(random, 2020, 2026)} ${site} · ${links.join(" · ")}</p><p class="${page.cls("ref")}">Ref. ${hex8(random)}</p></footer>`;
}

function wrap(page: Page, html: string, depth: number): string {
  let out = html;
  for (let i = 0; i < depth; i++)
    out = `<div class="${page.cls(pick(page.random, ["wrap", "container", "inner", "shell", "frame"]))}">\n${out}\n</div>`;
  return out;
}
