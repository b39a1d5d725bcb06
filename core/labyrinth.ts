import { createRandom, generateParagraph, generateWords, hash32, randomInt, type MarkovChain, type Random } from "./markov";
import { TRAP_PATH_PREFIX } from "./trap-paths";

/** Options of a labyrinth page. `secret` salts the seed so that pages cannot be predicted off-site. */
export interface LabyrinthOptions {
  readonly secret?: string;
  readonly siteName?: string;
}

const DEFAULT_SITE_NAME = "Regional Survey Archive";
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/**
 * Renders one page of the maze: Markov prose, deterministic for a (path, secret) pair, with links to
 * further pages under TRAP_PATH_PREFIX. Marked noindex/nofollow, so well-behaved crawlers leave it alone.
 */
export function renderLabyrinthPage(chain: MarkovChain, path: string, options: LabyrinthOptions = {}): string {
  const seed = `${options.secret ?? ""}\u0000${path}`;
  const random = createRandom(seed);
  const site = escapeHtml(options.siteName ?? DEFAULT_SITE_NAME);
  const title = phrase(chain, random, 3, 8) || "Archive";
  const links = linkMaker(chain, random, seed);
  const date = `${randomInt(random, 1, 28)} ${MONTHS[randomInt(random, 0, 11)] ?? "May"} ${randomInt(random, 2004, 2024)}`;

  const body: string[] = [];
  const paragraphs = randomInt(random, 4, 7);
  for (let i = 0; i < paragraphs; i++) {
    if (i > 0 && random() < 0.35) body.push(`<h2>${escapeHtml(phrase(chain, random, 2, 6) || "Notes")}</h2>`);
    let text = escapeHtml(generateParagraph(chain, random, randomInt(random, 3, 6)));
    if (random() < 0.5) text += ` See also ${links.anchor()}.`;
    body.push(`<p>${text}</p>`);
  }
  const related = Array.from({ length: randomInt(random, 4, 6) }, () => `<li>${links.anchor()}</li>`);
  const older = links.href(`page-${randomInt(random, 2, 40)}`);

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex,nofollow">
<title>${escapeHtml(title)} | ${site}</title>
<meta name="description" content="${escapeHtml(phrase(chain, random, 8, 16))}">
<style>body{font:17px/1.6 Georgia,serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}a{color:#1a4f8b}nav,footer,.meta{font:14px sans-serif;color:#666}aside{border-top:1px solid #ddd;margin-top:2rem}</style>
</head>
<body>
<header><a href="/">${site}</a></header>
<nav><a href="/">Home</a> › <a href="${TRAP_PATH_PREFIX}">Archive</a> › ${escapeHtml(title)}</nav>
<main>
<article>
<h1>${escapeHtml(title)}</h1>
<p class="meta">Published ${date}</p>
${body.join("\n")}
</article>
<aside>
<h2>Related entries</h2>
<ul>
${related.join("\n")}
</ul>
</aside>
</main>
<footer><a href="${older}">Older entries</a> · <a href="${TRAP_PATH_PREFIX}">Archive index</a></footer>
</body>
</html>
`;
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A URL slug from words: ASCII letters and digits, joined by hyphens. */
export function slugify(words: readonly string[]): string {
  return words
    .map((w) => w.normalize("NFKD").toLowerCase().replace(/[^a-z0-9]+/g, ""))
    .filter((w) => w !== "")
    .join("-");
}

function phrase(chain: MarkovChain, random: Random, min: number, max: number): string {
  const words = generateWords(chain, random, randomInt(random, min, max));
  const text = words.join(" ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function linkMaker(chain: MarkovChain, random: Random, seed: string) {
  let n = 0;
  const href = (slug: string): string => {
    const id = hash32(`${seed}\u0000${n++}`).toString(16).padStart(8, "0");
    return `${TRAP_PATH_PREFIX}${id}/${slug || "entry"}`;
  };
  const anchor = (): string => {
    const words = generateWords(chain, random, randomInt(random, 2, 5));
    const label = words.join(" ") || "more";
    return `<a href="${href(slugify(words))}">${escapeHtml(label)}</a>`;
  };
  return { href, anchor };
}
