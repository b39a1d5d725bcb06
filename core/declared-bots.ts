/**
 * Declared bots: User-Agents that say they are automation, from the public lists (npm crawler-user-agents'
 * patterns and tags, isbot's patterns), classified into kinds that the policy treats differently. The bundled
 * snapshot is core/data/declared-bots.json (scripts/codegen/build-declared-bots.ts); the Cron Trigger may refresh the
 * crawler-user-agents part, through the same `compileCrawlerList` and `checkRefreshedList` as here.
 */
import { z } from "zod";
import { aiCrawlerToken, automationToken, scriptedClientToken } from "./crawlers";
import bundledLists from "./data/declared-bots.json";
import { fail, ok, type Result } from "./result";
import { escapeRegExp } from "./text";

/** What a declaring User-Agent is, most specific first. `ai-crawler`, `scripted` and `automation` come from core/crawlers.ts. */
export type DeclaredBotKind = "ai-crawler" | "automation" | "scripted" | "link-preview" | "feed-reader" | "search" | "other";
/** Kinds the public lists decide (the others come from the token lists of core/crawlers.ts). */
export const LIST_KINDS = ["link-preview", "feed-reader", "search", "other"] as const;
export type ListKind = (typeof LIST_KINDS)[number];

/** Where crawler-user-agents publishes its list (an array of `{ pattern, tags?, instances? }`). */
export const CRAWLER_USER_AGENTS_URL = "https://raw.githubusercontent.com/monperrus/crawler-user-agents/master/crawler-user-agents.json";

/**
 * Link-preview fetchers: one fetch per shared link, from the chat or social network's servers. Named here as
 * well as through the lists' `social-preview` tag, because a preview must keep working whatever the list says.
 */
export const LINK_PREVIEW_TOKENS: readonly string[] = [
  "Slackbot",
  "Slack-ImgProxy",
  "Discordbot",
  "facebookexternalhit",
  "facebookcatalog",
  "Twitterbot",
  "LinkedInBot",
  "TelegramBot",
  "WhatsApp",
  "Mastodon",
  "Pleroma",
  "Akkoma",
  "Misskey",
  "GoToSocial",
  "Bluesky",
  "redditbot",
  "SkypeUriPreview",
  "vkShare",
  "Iframely",
  "Embedly",
  "Snap URL Preview",
  "Viber",
  "MicrosoftPreview",
  "Synapse (bot",
  "Matrix-Media-Repo",
];

/** Feed readers and the libraries they are built on; the preset's `feeds` rule lets them poll feeds. */
export const FEED_READER_TOKENS: readonly string[] = [
  "feedparser",
  "newsboat",
  "Newsbeuter",
  "Miniflux",
  "FreshRSS",
  "Tiny Tiny RSS",
  "NetNewsWire",
  "Liferea",
  "Akregator",
  "QuiteRSS",
  "rss2email",
  "CommaFeed",
  "Feedly",
  "Inoreader",
  "NewsBlur",
  "Feedbin",
  "theoldreader",
  "FeedFetcher",
  "Feed Fetcher",
  "Feedbro",
  "RSSOwl",
  "Nextcloud-News",
  "NewsGator",
  "Bloglovin",
  "Feeder",
  "FeedValidator",
];

/** One crawler-user-agents entry, loosely: the list adds fields over time. */
const CrawlerListEntrySchema = z.object({ pattern: z.string().min(2).max(300), tags: z.array(z.string()).optional() });

/** Declared-bot patterns by kind: the bundled file and the refreshed KV value share this shape. */
export const DeclaredBotListSchema = z.strictObject({
  version: z.literal(1),
  /** Where and when the list was taken (package version or URL, ISO date). */
  source: z.string().max(300),
  /** crawler-user-agents' patterns (RegExp sources, case-sensitive as the list's own validators use them), by kind. */
  patterns: z.strictObject({
    "link-preview": z.array(z.string()),
    "feed-reader": z.array(z.string()),
    search: z.array(z.string()),
    other: z.array(z.string()),
  }),
});
export type DeclaredBotList = z.infer<typeof DeclaredBotListSchema>;

/** A crawler-user-agents tag set to the kind it stands for. `http-library` entries are crawler frameworks (crawler4j, trafilatura…). */
function kindOfTags(tags: readonly string[]): ListKind {
  if (tags.includes("social-preview")) return "link-preview";
  if (tags.includes("feed-reader")) return "feed-reader";
  if (tags.includes("search-engine") || tags.includes("archiver")) return "search";
  return "other";
}

/** Validates a crawler-user-agents document and sorts its patterns by kind. Patterns that do not compile are dropped. */
export function compileCrawlerList(json: unknown, source: string): Result<DeclaredBotList, string> {
  const parsed = z.array(z.unknown()).safeParse(json);
  if (!parsed.success) return fail("the crawler list is not a JSON array");
  const patterns: Record<ListKind, string[]> = { "link-preview": [], "feed-reader": [], search: [], other: [] };
  for (const item of parsed.data) {
    const entry = CrawlerListEntrySchema.safeParse(item);
    if (!entry.success || !compiles(entry.data.pattern)) continue;
    patterns[kindOfTags(entry.data.tags ?? [])].push(entry.data.pattern);
  }
  return ok({ version: 1, source, patterns });
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/** How many patterns a list holds. */
export const patternCount = (list: DeclaredBotList): number => LIST_KINDS.reduce((n, kind) => n + list.patterns[kind].length, 0);

/** A refreshed list shorter than this share of the previous (or bundled) one is taken for a broken fetch. */
export const MIN_REFRESH_SHARE = 0.8;

/**
 * Sanity checks a refreshed list must pass before it replaces the previous one: it matches no mainstream browser
 * (`browsers`: real User-Agents, people's text browsers included) and did not shrink below 80% of `previous`.
 */
export function checkRefreshedList(list: DeclaredBotList, previous: number, browsers: readonly string[]): Result<DeclaredBotList, string> {
  const count = patternCount(list);
  if (count < previous * MIN_REFRESH_SHARE)
    return fail(`the refreshed list has ${count} patterns, fewer than ${MIN_REFRESH_SHARE * 100}% of ${previous}`);
  const matcher = buildMatcher(list, []);
  const browser = browsers.find((ua) => matcher.match(ua) !== null);
  if (browser !== undefined) return fail(`the refreshed list matches a browser: ${browser.slice(0, 120)}`);
  return ok(list);
}

/** What a User-Agent matched in the lists: the kind, and the pattern or token that decided it (for logs). */
export interface ListMatch {
  readonly kind: ListKind;
  readonly token: string;
}

/** Compiled lists: built once per isolate (or per refresh), then only read. */
export interface DeclaredBotMatcher {
  /** The most lenient kind any list gives the User-Agent (a preview fetcher stays one even if a broad pattern matches). */
  match(userAgent: string): ListMatch | null;
}

const KIND_RANK: Readonly<Record<ListKind, number>> = { "link-preview": 0, "feed-reader": 1, search: 2, other: 3 };

/** A pattern that is a plain string once its escapes are undone (no anchors, classes, groups or quantifiers), or null. */
function literalOf(pattern: string): string | null {
  if (/\\[A-Za-z0-9]/.test(pattern)) return null;
  const unescaped = pattern.replace(/\\(.)/g, "\u0000");
  if (/[[\](){}|*+?.^$]/.test(unescaped)) return null;
  return pattern.replace(/\\(.)/g, "$1");
}

/**
 * Compiles the lists. Most crawler-user-agents patterns are plain strings: they go into an index by their first
 * three characters, so a User-Agent costs one map lookup per position instead of ~1,500 regex attempts (a single
 * alternation of all patterns took ~3 ms per browser User-Agent in V8). The few real regexes and isbot's
 * patterns (`generic`, matched case-insensitively, kind `other`) run as regexes.
 */
export function buildMatcher(list: DeclaredBotList, generic: readonly string[]): DeclaredBotMatcher {
  const byTrigram = new Map<string, { literal: string; kind: ListKind }[]>();
  const regexes: { re: RegExp; kind: ListKind; source: string }[] = [];
  for (const kind of LIST_KINDS) {
    for (const pattern of list.patterns[kind]) {
      const literal = literalOf(pattern);
      if (literal === null || literal.length < 3) {
        regexes.push({ re: new RegExp(pattern), kind, source: pattern });
        continue;
      }
      const key = literal.slice(0, 3);
      const bucket = byTrigram.get(key) ?? [];
      bucket.push({ literal, kind });
      byTrigram.set(key, bucket);
    }
  }
  const named: [RegExp, ListKind][] = [
    [new RegExp(`(${LINK_PREVIEW_TOKENS.map(escapeRegExp).join("|")})`, "i"), "link-preview"],
    [new RegExp(`(${FEED_READER_TOKENS.map(escapeRegExp).join("|")})`, "i"), "feed-reader"],
  ];
  const genericRe = generic.length === 0 ? null : new RegExp(generic.join("|"), "i");

  const matchOnce = (userAgent: string): ListMatch | null => {
    for (const [re, kind] of named) {
      const token = re.exec(userAgent)?.[1];
      if (token !== undefined) return { kind, token };
    }
    let best: ListMatch | null = null;
    for (let i = 0; i + 3 <= userAgent.length; i++) {
      const bucket = byTrigram.get(userAgent.slice(i, i + 3));
      if (bucket === undefined) continue;
      for (const { literal, kind } of bucket) {
        if ((best === null || KIND_RANK[kind] < KIND_RANK[best.kind]) && userAgent.startsWith(literal, i)) best = { kind, token: literal };
      }
    }
    for (const { re, kind, source } of regexes) {
      if ((best === null || KIND_RANK[kind] < KIND_RANK[best.kind]) && re.test(userAgent)) best = { kind, token: source };
    }
    if (best === null && genericRe !== null) {
      const hit = genericRe.exec(userAgent);
      if (hit !== null) best = { kind: "other", token: hit[0].trim().slice(0, 40) || "isbot" };
    }
    return best;
  };
  // Traffic repeats a few hundred User-Agents; a bounded memo keeps the lists off the hot path.
  const memo = new Map<string, ListMatch | null>();
  return {
    match(userAgent: string): ListMatch | null {
      let hit = memo.get(userAgent);
      if (hit === undefined) {
        hit = matchOnce(userAgent);
        if (memo.size >= MATCH_MEMO_MAX) memo.clear();
        memo.set(userAgent, hit);
      }
      return hit;
    },
  };
}

const MATCH_MEMO_MAX = 5_000;

/** The bundled lists (core/data/declared-bots.json), as the refresh and the edge read them. */
export const BundledDeclaredBotsSchema = DeclaredBotListSchema.extend({
  generic: z.strictObject({ source: z.string(), patterns: z.array(z.string()).min(1) }),
});

let bundled: { readonly list: DeclaredBotList; readonly generic: readonly string[]; readonly matcher: DeclaredBotMatcher } | null = null;

/** The bundled lists, parsed and compiled on first use (a defect in the file is a build defect: the tests load it). */
export function bundledDeclaredBots(): {
  readonly list: DeclaredBotList;
  readonly generic: readonly string[];
  readonly matcher: DeclaredBotMatcher;
} {
  if (bundled === null) {
    const { generic, ...list } = BundledDeclaredBotsSchema.parse(bundledLists);
    bundled = { list, generic: generic.patterns, matcher: buildMatcher(list, generic.patterns) };
  }
  return bundled;
}

/** A User-Agent that declares automation: its kind and the token or pattern that said so. */
export interface DeclaredBot {
  readonly kind: DeclaredBotKind;
  readonly token: string;
}

/** Text-mode browsers: no JS, no subresources, no client hints, and still people. */
const TEXT_BROWSER_RE = /^(?:Lynx|w3m|Links|ELinks|Browsh)\b|\((?:Lynx|w3m)/i;

/** True for lynx, w3m, links and elinks. */
export function isTextBrowser(userAgent: string): boolean {
  return TEXT_BROWSER_RE.test(userAgent);
}

/**
 * Classifies a User-Agent: the AI list first (tarpitted anyway), then automation (core/crawlers.ts), link previews
 * and feed readers, scripting tools, then the rest of the public lists. Null for browsers, text browsers and an empty User-Agent.
 */
export function classifyDeclaredBot(userAgent: string, matcher: DeclaredBotMatcher = bundledDeclaredBots().matcher): DeclaredBot | null {
  if (userAgent.trim() === "" || isTextBrowser(userAgent)) return null;
  const ai = aiCrawlerToken(userAgent);
  if (ai !== null) return { kind: "ai-crawler", token: ai };
  const automation = automationToken(userAgent);
  if (automation !== null) return { kind: "automation", token: automation };
  const listed = matcher.match(userAgent);
  // A named preview fetcher or feed reader built on a library ("LinkedInBot … Apache-HttpClient") is what it names.
  if (listed !== null && (listed.kind === "link-preview" || listed.kind === "feed-reader")) return listed;
  const tool = scriptedClientToken(userAgent);
  if (tool !== null) return { kind: "scripted", token: tool };
  return listed;
}
