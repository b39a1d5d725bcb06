import { describe, expect, it } from "vitest";
import { AI_CRAWLER_TOKENS } from "../../core/crawlers";
import { productTokens } from "../../core/product-tokens";
import { ROBOTS_MAX_BYTES, isAllowed, normalizePath, parseRobots } from "../../core/robots";
import { managedRobotsTxt } from "../../core/robots-managed";
import { TRAP_PATH_PREFIX } from "../../core/trap-paths";
import { utf8Length } from "../../core/utf8";
import { contentSignalRecord } from "../../core/content-signals";
import { compilePolicy } from "../../core/policy/compile";

const GPTBOT_UA = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)";
const GOOGLEBOT_UA =
  "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.126 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

describe("parseRobots and isAllowed: RFC 9309 §5.1 example", () => {
  const robots = parseRobots(
    [
      "User-Agent: *",
      "Disallow: *.gif$",
      "Disallow: /example/",
      "Allow: /publications/",
      "",
      "User-Agent: foobot",
      "Disallow:/",
      "Allow:/example/page.html",
      "Allow:/example/allowed.gif",
      "",
      "User-Agent: barbot",
      "User-Agent: bazbot",
      "Disallow: /example/page.html",
      "",
      "User-Agent: quxbot",
      "",
    ].join("\n"),
  );

  it.each([
    ["foobot", "/example/page.html", true],
    ["foobot", "/example/allowed.gif", true],
    ["foobot", "/example/other.html", false],
    ["foobot", "/", false],
    ["barbot", "/example/page.html", false],
    ["bazbot", "/example/page.html", false],
    ["bazbot", "/example/pic.gif", true],
    ["quxbot", "/example/page.html", true],
    ["otherbot", "/example/page.html", false],
    ["otherbot", "/img/a.gif", false],
    ["otherbot", "/img/a.gif?x=1", true],
    ["otherbot", "/publications/paper", true],
    ["otherbot", "/", true],
  ])("%s on %s: allowed = %s", (agent, path, allowed) => {
    expect(isAllowed(robots, agent, path)).toBe(allowed);
  });
});

describe("parseRobots and isAllowed", () => {
  it("picks the most specific match, and allow on a tie (§2.2.2, §5.2)", () => {
    const robots = parseRobots(
      "User-Agent: foobot\nAllow: /example/page/\nDisallow: /example/page/disallowed.gif\nAllow: /folder\nDisallow: /folder\n",
    );
    expect(isAllowed(robots, "foobot", "/example/page/")).toBe(true);
    expect(isAllowed(robots, "foobot", "/example/page/disallowed.gif")).toBe(false);
    expect(isAllowed(robots, "foobot", "/folder/x")).toBe(true);
  });

  it("merges groups that name the same agent, whatever the case (§2.2.1)", () => {
    const robots = parseRobots("user-agent: ExampleBot\ndisallow: /foo\ndisallow: /bar\n\nUSER-AGENT: examplebot\nDISALLOW: /baz\n");
    const ua = "Mozilla/5.0 (compatible; ExampleBot/0.1; https://www.example.com/bot.html)";
    expect(["/foo", "/bar", "/baz", "/qux"].map((p) => isAllowed(robots, ua, p))).toEqual([false, false, false, true]);
  });

  it("finds the group from a full User-Agent, case-insensitively, and falls back to *", () => {
    const robots = parseRobots("User-agent: gptbot\nDisallow: /\n\nUser-agent: *\nDisallow: /private\n");
    expect(isAllowed(robots, GPTBOT_UA, "/page")).toBe(false);
    expect(isAllowed(robots, GOOGLEBOT_UA, "/page")).toBe(true);
    expect(isAllowed(robots, GOOGLEBOT_UA, "/private/x")).toBe(false);
    expect(isAllowed(robots, "CCBot/2.0 (https://commoncrawl.org/faq/)", "/private")).toBe(false);
  });

  it("does not take contact URLs or browser words for product tokens", () => {
    expect(productTokens(GPTBOT_UA)).toEqual(["GPTBot"]);
    expect(productTokens("Mozilla/5.0 (compatible; Bytespider; spider-feedback@bytedance.com)")).toEqual(["Bytespider"]);
    expect(productTokens(GOOGLEBOT_UA)).toEqual(["Nexus", "5X", "MMB29P", "Googlebot"]);
  });

  it("allows everything without a matching group or a * group, and always allows /robots.txt", () => {
    expect(isAllowed(parseRobots("User-agent: foobot\nDisallow: /\n"), "barbot", "/x")).toBe(true);
    expect(isAllowed(parseRobots(""), "barbot", "/x")).toBe(true);
    expect(isAllowed(parseRobots("User-agent: *\nDisallow: /\n"), "barbot", "/robots.txt")).toBe(true);
  });

  it.each([
    ["/*.php", "/folder/filename.php?parameters", true],
    ["/*.php", "/folder/any.php.file.html", true],
    ["/*.php", "/windows.PHP", false],
    ["/*.php$", "/filename.php", true],
    ["/*.php$", "/filename.php?parameters", false],
    ["/*.php$", "/filename.php5", false],
    ["/fish*.php", "/fishheads/catfish.php?parameters", true],
    ["/fish*.php", "/Fish.PHP", false],
    ["/fish", "/fish.html", true],
    ["/fish", "/catfish", false],
    ["/fish/", "/fish", false],
    ["/a*b*c$", "/a-xb-yc", true],
    ["/a*b*c$", "/a-xb-yc-", false],
    ["/$", "/", true],
    ["/$", "/x", false],
    ["*/private", "/x/private/y", true],
  ])("pattern %s against %s matches = %s", (pattern, path, matched) => {
    expect(isAllowed(parseRobots(`User-agent: *\nDisallow: ${pattern}\n`), "bot", path)).toBe(!matched);
  });

  it.each([
    ["/foo/bar?baz=quz", "/foo/bar?baz=quz"],
    ["/foo/bar/ツ", "/foo/bar/%E3%83%84"],
    ["/foo/bar/%e3%83%84", "/foo/bar/%E3%83%84"],
    ["/foo/bar/%62%61%7A", "/foo/bar/baz"],
    ["/a b", "/a%20b"],
    ["/%2F", "/%2F"],
  ])("percent-normalises %s to %s (§2.2.2 table)", (raw, normal) => {
    expect(normalizePath(raw)).toBe(normal);
  });

  it("matches an encoded rule against a decoded path and back", () => {
    const robots = parseRobots("User-agent: *\nDisallow: /foo/bar/%62%61%7A\nDisallow: /ツ\n");
    expect(isAllowed(robots, "bot", "/foo/bar/baz")).toBe(false);
    expect(isAllowed(robots, "bot", "/%E3%83%84/x")).toBe(false);
  });

  it("reads BOM, CRLF, bare CR, comments, odd spacing, and ignores junk, orphan rules and empty patterns", () => {
    const text =
      "\uFEFFDisallow: /orphan\r\nUser-agent: a # the a bot\r\nnonsense line\r\ncrawl-delay: 5\rUser-agent:b\r\n  Disallow :  /x  # comment\r\nDisallow:\r\nAllow: y\r\n";
    const robots = parseRobots(text);
    expect(robots.groups).toHaveLength(1);
    expect(robots.groups[0]?.agents).toEqual(["a", "b"]);
    expect(["/x", "/orphan", "/y"].map((p) => isAllowed(robots, "b", p))).toEqual([false, true, true]);
    expect(isAllowed(robots, "c", "/orphan")).toBe(true);
  });

  it("keeps Sitemap lines, wherever they are", () => {
    const robots = parseRobots("Sitemap: https://example.com/a.xml\nUser-agent: *\nSitemap: https://example.com/b.xml\nDisallow: /x\n");
    expect(robots.sitemaps).toEqual(["https://example.com/a.xml", "https://example.com/b.xml"]);
    expect(isAllowed(robots, "bot", "/x")).toBe(false);
  });

  it("stops at 500 KiB, dropping a line cut in half", () => {
    const filler = `# ${"x".repeat(1000)}\n`.repeat(Math.floor(ROBOTS_MAX_BYTES / 1003) - 1);
    const head = `User-agent: *\nDisallow: /early\n${filler}`;
    const robots = parseRobots(`${head}Disallow: /late-but-inside\n${"#".repeat(2000)}\nDisallow: /beyond\n`);
    expect(utf8Length(head)).toBeLessThan(ROBOTS_MAX_BYTES);
    expect(isAllowed(robots, "bot", "/early")).toBe(false);
    expect(isAllowed(robots, "bot", "/late-but-inside")).toBe(false);
    expect(isAllowed(robots, "bot", "/beyond")).toBe(true);
  });
});

describe("managedRobotsTxt", () => {
  const opts = { aiAgents: AI_CRAWLER_TOKENS, trapPrefixes: [TRAP_PATH_PREFIX] };
  const trap = `${TRAP_PATH_PREFIX}x/y`;

  it("without an origin file: AI agents out, the trap out for everyone, the rest open", () => {
    const robots = parseRobots(managedRobotsTxt(null, opts));
    expect(isAllowed(robots, GPTBOT_UA, "/")).toBe(false);
    expect(isAllowed(robots, "Kangaroo Bot", "/any")).toBe(false);
    expect(isAllowed(robots, GOOGLEBOT_UA, "/any")).toBe(true);
    expect(isAllowed(robots, GOOGLEBOT_UA, trap)).toBe(false);
  });

  it("keeps the origin's rules and adds the trap to every group", () => {
    const origin = [
      "User-agent: *",
      "Disallow: /private",
      "Allow: /private/ok",
      "",
      "User-agent: Googlebot",
      "User-agent: Bingbot",
      "Disallow: /nogoogle",
      "",
      "User-agent: quxbot",
      "Sitemap: https://example.com/sitemap.xml",
    ].join("\n");
    const before = parseRobots(origin);
    const after = parseRobots(managedRobotsTxt(origin, opts));
    for (const agent of ["other", GOOGLEBOT_UA, "bingbot/2.0", "quxbot"]) {
      for (const path of ["/", "/private", "/private/ok", "/nogoogle", "/public"]) {
        expect(isAllowed(after, agent, path), `${agent} ${path}`).toBe(isAllowed(before, agent, path));
      }
      expect(isAllowed(after, agent, trap), agent).toBe(false);
    }
    expect(after.sitemaps).toEqual(["https://example.com/sitemap.xml"]);
    expect(after.groups.filter((g) => g.agents.includes("*"))).toHaveLength(1);
    expect(isAllowed(after, "CCBot/2.0", "/public")).toBe(false);
  });

  it("leaves an AI agent the origin names explicitly to the origin's group", () => {
    const managed = managedRobotsTxt("User-agent: GPTBot\nAllow: /\n", opts);
    const robots = parseRobots(managed);
    expect(isAllowed(robots, GPTBOT_UA, "/articles")).toBe(true);
    expect(isAllowed(robots, GPTBOT_UA, trap)).toBe(false);
    expect(isAllowed(robots, "ClaudeBot", "/articles")).toBe(false);
    expect(managed.match(/^User-agent: GPTBot$/gim)).toHaveLength(1);
  });

  it("normalises BOM and CRLF, and closes a trailing group so edge-guard's lines do not join it", () => {
    const managed = managedRobotsTxt("\uFEFFUser-agent: *\r\nDisallow: /x\r\nUser-agent: lastbot\r\n", {
      aiAgents: ["GPTBot"],
      trapPrefixes: [],
    });
    expect(managed.startsWith("User-agent: *\n")).toBe(true);
    expect(managed).not.toContain("\r");
    const robots = parseRobots(managed);
    expect(isAllowed(robots, "lastbot", "/page")).toBe(true);
    expect(isAllowed(robots, "GPTBot", "/page")).toBe(false);
  });

  it("changes nothing when served twice", () => {
    const once = managedRobotsTxt("User-agent: *\nDisallow: /private\n\nUser-agent: foobot\nDisallow: /\n", opts);
    expect(managedRobotsTxt(once, opts)).toBe(once);
  });

  it("stays within 500 KiB so crawlers still read the AI block after a huge origin file", () => {
    const origin = `User-agent: *\n${"Disallow: /generated/page-number-000000\n".repeat(16_000)}`;
    const managed = managedRobotsTxt(origin, opts);
    expect(utf8Length(managed)).toBeLessThanOrEqual(ROBOTS_MAX_BYTES);
    const robots = parseRobots(managed);
    expect(isAllowed(robots, GPTBOT_UA, "/")).toBe(false);
    expect(isAllowed(robots, GOOGLEBOT_UA, trap)).toBe(false);
    expect(isAllowed(robots, GOOGLEBOT_UA, "/generated/page-number-000000")).toBe(false);
  });
});

describe("Content Signals in the managed robots.txt", () => {
  const SIGNAL = "Content-Signal: search=yes, ai-input=no, ai-train=no";
  const opts = { aiAgents: ["GPTBot"], trapPrefixes: [TRAP_PATH_PREFIX], contentSignal: SIGNAL };
  const starGroupLines = (text: string): string[] => {
    const lines = text.split("\n");
    const start = lines.indexOf("User-agent: *");
    const end = lines.findIndex((l, i) => i > start && (l === "" || /^user-agent:/i.test(l)) && !/^user-agent: \*$/i.test(l));
    return lines.slice(start, end < 0 ? undefined : end);
  };

  it("states edge-guard's default preferences unless the policy says otherwise", () => {
    expect(contentSignalRecord(undefined)).toBe(SIGNAL);
    expect(contentSignalRecord({ search: true, "ai-input": true, "ai-train": false })).toBe(
      "Content-Signal: search=yes, ai-input=yes, ai-train=no",
    );
    expect(contentSignalRecord(false)).toBeNull();
    const compiled = (contentSignals: unknown) => compilePolicy({ version: 1, rules: [], contentSignals });
    expect(compiled(undefined)).toMatchObject({ ok: true, value: { contentSignal: SIGNAL } });
    expect(compiled({ "ai-train": true })).toMatchObject({
      ok: true,
      value: { contentSignal: "Content-Signal: search=yes, ai-input=no, ai-train=yes" },
    });
    expect(compiled(false)).toMatchObject({ ok: true, value: { contentSignal: null } });
    expect(compiled({ "ai-training": false }).ok).toBe(false);
    expect(compiled({ search: "yes" }).ok).toBe(false);
  });

  it("puts the record in the `*` group edge-guard adds when the origin has none", () => {
    const managed = managedRobotsTxt(null, opts);
    expect(starGroupLines(managed).slice(0, 2)).toEqual(["User-agent: *", SIGNAL]);
    expect(managed.match(/^Content-Signal:/gim)).toHaveLength(1);
    expect(isAllowed(parseRobots(managed), GOOGLEBOT_UA, "/articles")).toBe(true);
  });

  it("adds a `*` group that allows everything when there is no trap to disallow", () => {
    const managed = managedRobotsTxt("User-agent: foobot\nDisallow: /\n", { ...opts, trapPrefixes: [] });
    expect(starGroupLines(managed)).toEqual(["User-agent: *", SIGNAL, "Allow: /"]);
    expect(isAllowed(parseRobots(managed), "foobot", "/x")).toBe(false);
  });

  it("puts it in the origin's first `*` group, once, keeping the origin's rules", () => {
    const origin = "User-agent: *\nDisallow: /private\n\nUser-agent: *\nDisallow: /also\n";
    const managed = managedRobotsTxt(origin, opts);
    expect(managed.startsWith(`User-agent: *\n${SIGNAL}\n`)).toBe(true);
    expect(managed.match(/^Content-Signal:/gim)).toHaveLength(1);
    expect(isAllowed(parseRobots(managed), "other", "/private")).toBe(false);
  });

  it("leaves the origin's own Content-Signal alone (the site owner's choice), and changes nothing when served twice", () => {
    const origin = "User-agent: *\nContent-Signal: search=yes, ai-input=yes, ai-train=yes\nAllow: /\n";
    const managed = managedRobotsTxt(origin, opts);
    expect(managed.match(/^Content-Signal:.*$/gim)).toEqual(["Content-Signal: search=yes, ai-input=yes, ai-train=yes"]);
    const once = managedRobotsTxt(null, opts);
    expect(managedRobotsTxt(once, opts)).toBe(once);
  });

  it("states nothing when the policy turns Content Signals off", () => {
    expect(managedRobotsTxt(null, { ...opts, contentSignal: null })).not.toMatch(/content-signal/i);
  });
});
