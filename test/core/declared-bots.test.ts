import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import crawlers from "crawler-user-agents";
import { describe, expect, it } from "vitest";
import canaries from "../../core/data/browser-canaries.json";
import {
  bundledDeclaredBots,
  checkRefreshedList,
  classifyDeclaredBot,
  compileCrawlerList,
  patternCount,
  type DeclaredBotList,
} from "../../core/declared-bots";
import { userAgentSignals } from "../../core/signals/user-agent-class";
import * as browserFixtures from "../fixtures/headers/browsers";

const require = createRequire(import.meta.url);
const BROWSER_UAS = (
  JSON.parse(readFileSync(join(dirname(require.resolve("user-agents")), "user-agents.json"), "utf8")) as { userAgent: string }[]
).map((b) => b.userAgent);
// The fixtures hold a HeadlessChrome set too: automation, not a browser a person drives.
const FIXTURE_UAS = Object.values(browserFixtures)
  .flatMap((f) => (typeof f === "object" && f !== null && "userAgent" in f ? [String(f.userAgent)] : []))
  .filter((ua) => !/Headless/.test(ua));
const CRAWLERS = crawlers as readonly { readonly pattern: string; readonly instances: string[]; readonly tags?: string[] }[];
const TEXT_BROWSERS = [
  "Lynx/2.9.0dev.12 libwww-FM/2.14 SSL-MM/1.4.1 GNUTLS/3.7.9",
  "w3m/0.5.3+git20230121",
  "Links (2.28; Linux 6.1.0-13-amd64 x86_64; GNU C 12.2; text)",
  "ELinks/0.16.1.1 (textmode; Linux 6.1.0-13-amd64 x86_64; 80x24-2)",
];
const kindOf = (ua: string) => classifyDeclaredBot(ua)?.kind ?? null;

describe("classifyDeclaredBot", () => {
  it("never calls a mainstream browser or a text browser a bot", () => {
    expect(BROWSER_UAS.length).toBeGreaterThan(5_000);
    expect(FIXTURE_UAS.length).toBeGreaterThan(3);
    const matched = [...BROWSER_UAS, ...FIXTURE_UAS, ...TEXT_BROWSERS].filter((ua) => classifyDeclaredBot(ua) !== null);
    expect(matched).toEqual([]);
  });

  it("calls every User-Agent of crawler-user-agents a declared bot", () => {
    const instances = CRAWLERS.flatMap((c) => c.instances);
    expect(instances.length).toBeGreaterThan(2_000);
    expect(instances.filter((ua) => classifyDeclaredBot(ua) === null)).toEqual([]);
  });

  it.each([
    ["Mozilla/5.0 (compatible; crawl4ai/0.4; +https://github.com/unclecode/crawl4ai)", "ai-crawler"],
    ["crawler4j (https://github.com/yasserg/crawler4j/)", "other"],
    ["trafilatura/1.6.1 (+https://github.com/adbar/trafilatura)", "other"],
    ["newspaper/0.2.8", "other"],
    ["larbin_2.6.3 larbin2.6.3@unspecified.mail", "other"],
    ["phpcrawl", "other"],
    ["lwp-trivial/1.41", "other"],
    ["Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/)", "other"],
    ["Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "search"],
    ["Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "search"],
    ["Mozilla/5.0 (compatible; archive.org_bot +http://archive.org/details/archive.org_bot)", "search"],
    ["Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "link-preview"],
    ["Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", "link-preview"],
    ["facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "link-preview"],
    ["Twitterbot/1.0", "link-preview"],
    ["LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)", "link-preview"],
    ["TelegramBot (like TwitterBot)", "link-preview"],
    ["WhatsApp/2.23.20.0 A", "link-preview"],
    ["Mastodon/4.2.8 (http.rb/5.1.1; +https://mastodon.social/)", "link-preview"],
    ["feedparser/6.0.10 +https://github.com/kurtmckee/feedparser/", "feed-reader"],
    ["newsboat/2.30.1 (Linux x86_64)", "feed-reader"],
    ["Miniflux/2.1.0 (https://miniflux.app)", "feed-reader"],
    ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36", "automation"],
    ["curl/8.5.0", "scripted"],
  ])("classifies %s as %s", (ua, kind) => {
    expect(kindOf(ua)).toBe(kind);
  });
});

describe("userAgentSignals for declared bots", () => {
  const codes = (ua: string) => userAgentSignals(ua).map((s) => s.code);
  it("gives each kind its own code, with a small positive weight", () => {
    expect(codes("crawler4j (https://github.com/yasserg/crawler4j/)")).toEqual(["ua-declared-bot"]);
    expect(codes("Twitterbot/1.0")).toEqual(["ua-link-preview"]);
    expect(codes("newsboat/2.30.1 (Linux x86_64)")).toEqual(["ua-feed-reader"]);
    expect(codes("Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/131.0.0.0 Safari/537.36")).toEqual(["ua-automation"]);
    for (const s of userAgentSignals("phpcrawl")) expect(s.weight).toBeGreaterThan(0);
  });
  it("adds nothing to an AI crawler, a scripting tool or a text browser", () => {
    expect(codes("Mozilla/5.0 (compatible; GPTBot/1.2)")).toEqual(["ua-ai-crawler"]);
    expect(codes("python-requests/2.31.0")).toEqual(["ua-scripted"]);
    expect(codes(TEXT_BROWSERS[0] ?? "")).toEqual([]);
  });
});

describe("the crawler list and its refresh checks", () => {
  const { list, generic } = bundledDeclaredBots();
  const canaryList = canaries as string[];

  it("bundles every pattern of the installed crawler-user-agents", () => {
    expect(patternCount(list)).toBe(CRAWLERS.length);
    expect(generic.length).toBeGreaterThan(100);
  });

  it("sorts patterns by their tags and drops what is not a valid list", () => {
    const compiled = compileCrawlerList(
      [
        { pattern: "Discordbot", tags: ["social-preview"] },
        { pattern: "crawler4j", tags: ["http-library"] },
        { pattern: "(unclosed" },
        "junk",
      ],
      "test",
    );
    expect(compiled.ok && compiled.value.patterns).toEqual({
      "link-preview": ["Discordbot"],
      "feed-reader": [],
      search: [],
      other: ["crawler4j"],
    });
    expect(compileCrawlerList({ not: "an array" }, "test").ok).toBe(false);
  });

  it("accepts the bundled list", () => {
    expect(checkRefreshedList(list, patternCount(list), canaryList).ok).toBe(true);
  });

  it("refuses a list that matches a mainstream browser", () => {
    const poisoned: DeclaredBotList = { ...list, patterns: { ...list.patterns, other: [...list.patterns.other, "Safari/537\\.36"] } };
    const checked = checkRefreshedList(poisoned, patternCount(list), canaryList);
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.error).toMatch(/matches a browser/);
  });

  it("refuses a list that shrank below 80% of the previous one", () => {
    const shrunk: DeclaredBotList = { ...list, patterns: { ...list.patterns, other: list.patterns.other.slice(0, 500) } };
    expect(checkRefreshedList(shrunk, patternCount(list), canaryList).ok).toBe(false);
  });
});
