import { factLines, factText, firstText, type Profile } from "./factbook";

/** A paragraph of an article; `label` names the Factbook field it came from, when that is not obvious. */
export type Block = { readonly label?: string; readonly text: string };
export type Section = { readonly heading: string; readonly blocks: readonly Block[] };
export type KeyFact = { readonly label: string; readonly value: string };
/** Degrees, north and east positive. */
export type Coordinates = { readonly lat: number; readonly lon: number };

/** One country profile rendered as a blog post. */
export type Article = {
  readonly slug: string;
  readonly code: string;
  readonly title: string;
  readonly region: string;
  readonly publishedAt: string; // ISO 8601 UTC, derived from the slug (see publishedAtFor)
  readonly summary: string;
  readonly sections: readonly Section[];
  readonly facts: readonly KeyFact[];
  readonly tags: readonly string[]; // kebab-case, sorted; only tags shared by at least MIN_TAG_ARTICLES articles
  readonly coordinates?: Coordinates;
};

/** Human names of the package's region folders. */
export const REGION_NAMES: Readonly<Record<string, string>> = {
  africa: "Africa",
  antarctica: "Antarctica",
  "australia-oceania": "Australia and Oceania",
  "central-america-n-caribbean": "Central America and the Caribbean",
  "central-asia": "Central Asia",
  "east-n-southeast-asia": "East and Southeast Asia",
  europe: "Europe",
  "middle-east": "Middle East",
  "north-america": "North America",
  oceans: "Oceans",
  "south-america": "South America",
  "south-asia": "South Asia",
  world: "World",
};

export const MIN_TAG_ARTICLES = 2; // a tag page listing one article is a dead end
const EPOCH_MS = Date.UTC(2019, 0, 1); // first possible publication date
const SPAN_DAYS = 6 * 365;
const DAY_MS = 86_400_000;
const SUMMARY_CHARS = 220;

// Profiles whose "Country name" field is missing or says something unhelpful.
const TITLE_OVERRIDES: Readonly<Record<string, string>> = {
  dr: "Dominican Republic",
  ee: "European Union",
  oo: "Southern Ocean",
  sv: "Svalbard",
  um: "United States Pacific Island Wildlife Refuges",
  xo: "Indian Ocean",
  xq: "Arctic Ocean",
  xx: "World",
  zh: "Atlantic Ocean",
  zn: "Pacific Ocean",
};

type SectionSpec = { readonly heading: string; readonly section: string; readonly fields: readonly string[] };
const SECTIONS: readonly SectionSpec[] = [
  { heading: "Background", section: "Introduction", fields: ["Background", "Preliminary statement"] },
  {
    heading: "Geography",
    section: "Geography",
    fields: [
      "Geographic overview",
      "Location",
      "Climate",
      "Terrain",
      "Natural resources",
      "Natural hazards",
      "Environment - current issues",
      "Geography - note",
    ],
  },
  { heading: "People and society", section: "People and Society", fields: ["Ethnic groups", "Languages", "Religions"] },
  {
    heading: "Government",
    section: "Government",
    fields: ["Government type", "Independence", "Constitution", "Legal system", "National symbol(s)"],
  },
  {
    heading: "Economy",
    section: "Economy",
    fields: ["Economy - overview", "Agriculture - products", "Industries", "Exports - commodities"],
  },
  {
    heading: "Transnational issues",
    section: "Transnational Issues",
    fields: ["Disputes - international", "Refugees and internally displaced persons", "Illicit drugs"],
  },
];
const UNLABELLED = new Set(["Background", "Preliminary statement", "Geographic overview", "Economy - overview"]);

type TagRule = { readonly tag: string; readonly matches: (p: Profile) => boolean };
const economy = (p: Profile) =>
  ["Economy - overview", "Industries", "Agriculture - products", "Exports - commodities"].map((f) => allText(p, "Economy", f)).join(" ");
const climate = (p: Profile) => allText(p, "Geography", "Climate");
const governmentType = (p: Profile) => allText(p, "Government", "Government type");
const isLandlocked = (p: Profile) => /landlocked/i.test(allText(p, "Geography", "Coastline"));
const TAG_RULES: readonly TagRule[] = [
  { tag: "landlocked", matches: isLandlocked },
  { tag: "island", matches: (p) => !isLandlocked(p) && /\b(islands?|archipelago|atolls?)\b/i.test(allText(p, "Geography", "Location")) },
  { tag: "tropical", matches: (p) => /tropical/i.test(climate(p)) },
  { tag: "arid", matches: (p) => /\b(arid|desert)\b/i.test(climate(p)) },
  { tag: "temperate", matches: (p) => /temperate/i.test(climate(p)) },
  { tag: "polar", matches: (p) => /\b(polar|arctic|antarctic|frigid)\b/i.test(climate(p)) },
  { tag: "mountainous", matches: (p) => /mountain/i.test(allText(p, "Geography", "Terrain")) },
  { tag: "volcanic", matches: (p) => /volcan/i.test(allText(p, "Geography", "Natural hazards") + allText(p, "Geography", "Terrain")) },
  { tag: "monarchy", matches: (p) => /monarchy|sultanate|emirate/i.test(governmentType(p)) },
  { tag: "republic", matches: (p) => /republic/i.test(governmentType(p)) },
  { tag: "federal", matches: (p) => /federal|federation/i.test(governmentType(p)) },
  { tag: "communist-state", matches: (p) => /communist/i.test(governmentType(p)) },
  { tag: "dependency", matches: (p) => factLines(p.sections["Government"]?.["Dependency status"]).length > 0 },
  { tag: "oil-producer", matches: (p) => quantity(firstText(p, "Energy", "Crude oil - production")) >= 10_000 }, // bbl/day
  { tag: "natural-gas", matches: (p) => quantity(firstText(p, "Energy", "Natural gas - production")) >= 1e9 }, // cu m/year
  { tag: "nuclear-power", matches: (p) => quantity(firstText(p, "Energy", "Electricity - from nuclear fuels")) > 0 }, // % of capacity
  { tag: "tourism", matches: (p) => /touris/i.test(economy(p)) },
  { tag: "mining", matches: (p) => /\bmining\b/i.test(economy(p)) },
  { tag: "fishing", matches: (p) => /\bfish(ing|eries)?\b/i.test(economy(p)) },
  { tag: "financial-services", matches: (p) => /offshore financ|financial services|banking/i.test(economy(p)) },
  { tag: "subsistence-farming", matches: (p) => /subsistence/i.test(economy(p)) },
  { tag: "remittances", matches: (p) => /remittance/i.test(economy(p)) },
  { tag: "foreign-aid", matches: (p) => /foreign aid|donors?\b/i.test(economy(p)) },
  { tag: "textiles", matches: (p) => /textile|garment|apparel/i.test(economy(p)) },
  { tag: "coffee", matches: (p) => /coffee/i.test(economy(p)) },
  { tag: "cocoa", matches: (p) => /cocoa/i.test(economy(p)) },
  { tag: "sugar", matches: (p) => /sugar/i.test(economy(p)) },
  { tag: "bananas", matches: (p) => /banana/i.test(economy(p)) },
  { tag: "cotton", matches: (p) => /cotton/i.test(economy(p)) },
  { tag: "gold", matches: (p) => /\bgold\b/i.test(economy(p)) },
  { tag: "diamonds", matches: (p) => /diamond/i.test(economy(p)) },
  { tag: "copper", matches: (p) => /copper/i.test(economy(p)) },
  { tag: "timber", matches: (p) => /timber|lumber|wood products/i.test(economy(p)) },
  { tag: "wine", matches: (p) => /\bwines?\b/i.test(economy(p)) },
  { tag: "electronics", matches: (p) => /electronic/i.test(economy(p)) },
  { tag: "shipbuilding", matches: (p) => /shipbuilding|ship repair/i.test(economy(p)) },
];

/** Turns profiles into articles, newest first; slugs are unique and tags are limited to those worth a page. */
export function buildArticles(profiles: readonly Profile[]): Article[] {
  const taken = new Set<string>();
  const drafts = profiles.map((profile) => {
    const title = titleOf(profile);
    const base = slugify(title) || profile.code;
    const slug = taken.has(base) ? `${base}-${profile.code}` : base; // profiles arrive sorted, so the suffix is stable
    taken.add(slug);
    return { profile, title, slug, tags: TAG_RULES.filter((rule) => rule.matches(profile)).map((rule) => rule.tag) };
  });
  const counts = new Map<string, number>();
  for (const tag of drafts.flatMap((draft) => draft.tags)) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  return drafts
    .map(({ profile, title, slug, tags }) => {
      const coordinates = coordinatesOf(firstText(profile, "Geography", "Geographic coordinates"));
      return {
        slug,
        code: profile.code,
        title,
        region: profile.region,
        publishedAt: publishedAtFor(slug),
        summary: summaryOf(profile),
        sections: sectionsOf(profile),
        facts: factsOf(profile),
        tags: tags.filter((tag) => (counts.get(tag) ?? 0) >= MIN_TAG_ARTICLES).sort(),
        ...(coordinates === undefined ? {} : { coordinates }),
      };
    })
    .sort(newestFirst);
}

/** Orders articles newest first, then by slug, so equal dates never reorder between builds. */
export function newestFirst(a: Article, b: Article): number {
  return a.publishedAt === b.publishedAt ? (a.slug < b.slug ? -1 : 1) : a.publishedAt < b.publishedAt ? 1 : -1;
}

/** A publication time between 2019 and 2024, fixed by the slug alone (no clock, no randomness). */
export function publishedAtFor(slug: string): string {
  const days = fnv1a(slug) % SPAN_DAYS;
  const minutes = fnv1a(`${slug}#time`) % (24 * 60);
  return new Date(EPOCH_MS + days * DAY_MS + minutes * 60_000).toISOString().replace(".000Z", "Z");
}

/** Lower-case ASCII words joined by hyphens: "Cote d'Ivoire" → "cote-divoire". */
export function slugify(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/['’]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** The `count` articles sharing the most tags with `article` (same region counts double); ties broken by a hash, not by position. */
export function relatedTo(article: Article, articles: readonly Article[], count: number): Article[] {
  const mine = new Set(article.tags);
  const score = (other: Article) => other.tags.filter((tag) => mine.has(tag)).length + (other.region === article.region ? 2 : 0);
  return articles
    .filter((other) => other.slug !== article.slug)
    .map((other) => ({ other, score: score(other), tie: fnv1a(`${article.slug}|${other.slug}`) }))
    .sort((a, b) => b.score - a.score || a.tie - b.tie || (a.other.slug < b.other.slug ? -1 : 1))
    .slice(0, count)
    .map(({ other }) => other);
}

/** 32-bit FNV-1a over UTF-16 code units: a small, stable hash for deterministic choices. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

function titleOf(profile: Profile): string {
  const name = (form: string) => factText(profile, "Government", "Country name", form);
  return (
    TITLE_OVERRIDES[profile.code] ??
    name("conventional short form") ??
    name("conventional long form") ??
    name("English short form") ??
    name("Dutch short form") ??
    profile.code.toUpperCase()
  );
}

function sectionsOf(profile: Profile): Section[] {
  return SECTIONS.map(({ heading, section, fields }) => ({
    heading,
    blocks: fields.flatMap((field) =>
      factLines(profile.sections[section]?.[field]).flatMap((line) => {
        const label = UNLABELLED.has(field) ? line.label : line.label === undefined ? field : `${field} (${line.label})`;
        return paragraphs(line.text).map((text) => (label === undefined ? { text } : { label, text }));
      }),
    ),
  })).filter((section) => section.blocks.length > 0);
}

function factsOf(profile: Profile): KeyFact[] {
  const candidates: readonly [string, string | undefined][] = [
    ["Capital", factText(profile, "Government", "Capital", "name")],
    ["Area", factText(profile, "Geography", "Area", "total") ?? firstText(profile, "Geography", "Area")],
    ["Population", firstText(profile, "People and Society", "Population")],
    ["Coastline", firstText(profile, "Geography", "Coastline")],
    ["GDP per capita (PPP)", firstText(profile, "Economy", "GDP - per capita (PPP)")],
    ["Internet country code", firstText(profile, "Communications", "Internet country code")],
  ];
  return candidates.flatMap(([label, value]) => (value === undefined ? [] : [{ label, value: paragraphs(value)[0] ?? value }]));
}

function summaryOf(profile: Profile): string {
  const source = firstText(profile, "Introduction", "Background") ?? firstText(profile, "Geography", "Location") ?? "";
  const text = paragraphs(source)[0] ?? "";
  if (text.length <= SUMMARY_CHARS) return text;
  const cut = text.lastIndexOf(" ", SUMMARY_CHARS);
  return `${text.slice(0, cut > 0 ? cut : SUMMARY_CHARS).replace(/[,;:.]$/, "")}…`;
}

// The data separates list items and paragraphs with " ++ ".
function paragraphs(text: string): string[] {
  return text
    .split(/\s*\+\+\s*/)
    .map((part) => part.trim())
    .filter((part) => part !== "");
}

function allText(profile: Profile, section: string, field: string): string {
  return factLines(profile.sections[section]?.[field])
    .map((line) => line.text)
    .join(" ");
}

// "1.5 million bbl/day" → 1_500_000; "75.7% of total installed capacity" → 75.7; missing → 0.
function quantity(text: string | undefined): number {
  const match = /^\s*([\d,]*\.?\d+)\s*(million|billion|trillion)?/i.exec(text ?? "");
  if (match === null) return 0;
  const scale: Record<string, number> = { million: 1e6, billion: 1e9, trillion: 1e12 };
  return Number(match[1]?.replace(/,/g, "")) * (scale[match[2]?.toLowerCase() ?? ""] ?? 1);
}

// "46 00 N, 2 00 E" → { lat: 46, lon: 2 }
function coordinatesOf(text: string | undefined): Coordinates | undefined {
  const match = /(\d+) (\d+) ([NS]), (\d+) (\d+) ([EW])/.exec(text ?? "");
  if (match === null) return undefined;
  const [, latD, latM, ns, lonD, lonM, ew] = match;
  const lat = (Number(latD) + Number(latM) / 60) * (ns === "S" ? -1 : 1);
  const lon = (Number(lonD) + Number(lonM) / 60) * (ew === "W" ? -1 : 1);
  return { lat, lon };
}
