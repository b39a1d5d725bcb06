/**
 * Writes core/data/declared-bots.json (crawler-user-agents' patterns by kind, plus isbot's generic patterns) and
 * core/data/browser-canaries.json (mainstream browser User-Agents no list may match: the refresh's sanity check)
 * from the installed npm packages. Deterministic: same package versions, same files.
 * Run after updating crawler-user-agents, isbot or user-agents: `npx tsx scripts/codegen/build-declared-bots.ts`.
 */
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import crawlers from "crawler-user-agents";
import { list as isbotPatterns } from "isbot";
import { buildMatcher, compileCrawlerList } from "../../core/declared-bots";

const require = createRequire(import.meta.url);
const version = (name: string): string =>
  (JSON.parse(readFileSync(join("node_modules", name, "package.json"), "utf8")) as { version: string }).version;

const compiled = compileCrawlerList(crawlers, `npm crawler-user-agents@${version("crawler-user-agents")}`);
if (!compiled.ok) throw new Error(compiled.error);

// Canaries: the most common browser builds of npm user-agents (by weight, one per distinct string), and the
// text browsers people use. The refresh refuses a list that matches any of them.
interface BrowserProfile {
  readonly userAgent: string;
  readonly weight: number;
}
const browsers = (JSON.parse(readFileSync(join(dirname(require.resolve("user-agents")), "user-agents.json"), "utf8")) as BrowserProfile[])
  .toSorted((a, b) => b.weight - a.weight || a.userAgent.localeCompare(b.userAgent))
  .map((b) => b.userAgent);
const canaries = [
  ...[...new Set(browsers)].slice(0, 60),
  "Lynx/2.9.0dev.12 libwww-FM/2.14 SSL-MM/1.4.1 GNUTLS/3.7.9",
  "w3m/0.5.3+git20230121",
  "Links (2.28; Linux 6.1.0-13-amd64 x86_64; GNU C 12.2; text)",
  "ELinks/0.16.1.1 (textmode; Linux 6.1.0-13-amd64 x86_64; 80x24-2)",
];

const matcher = buildMatcher(compiled.value, isbotPatterns);
const matched = canaries.filter((ua) => matcher.match(ua) !== null);
if (matched.length > 0) throw new Error(`the lists match browsers:\n${matched.join("\n")}`);

const bundle = { ...compiled.value, generic: { source: `npm isbot@${version("isbot")}`, patterns: isbotPatterns } };
writeFileSync("core/data/declared-bots.json", `${JSON.stringify(bundle)}\n`);
writeFileSync("core/data/browser-canaries.json", `${JSON.stringify(canaries, null, 1)}\n`);
const counts = Object.fromEntries(Object.entries(compiled.value.patterns).map(([k, v]) => [k, v.length]));
console.log(
  JSON.stringify({
    written: ["core/data/declared-bots.json", "core/data/browser-canaries.json"],
    patterns: counts,
    generic: isbotPatterns.length,
    canaries: canaries.length,
  }),
);
