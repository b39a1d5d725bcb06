/**
 * robots.txt as RFC 9309 defines it (https://www.rfc-editor.org/rfc/rfc9309): groups of user-agent lines and
 * allow/disallow rules, `*` and `$` in patterns, the longest match winning and allow winning ties.
 */
import { productTokens } from "./product-tokens";
import { utf8WholeLines } from "./utf8";

/** Crawlers must parse at least this much (RFC 9309 §2.5); we parse exactly this much, in whole lines. */
export const ROBOTS_MAX_BYTES = 500 * 1024;

/** One allow or disallow line. `pattern` is percent-normalised (§2.2.2); its length is its specificity. */
export type RobotsRule = { readonly allow: boolean; readonly pattern: string };

/** A group as written: its user-agent lines (lines `headerStart`-`headerEnd`, 0-based) and its rules. */
export type RobotsGroup = {
  /** Lower-cased product tokens, or "*". */
  readonly agents: readonly string[];
  readonly rules: readonly RobotsRule[];
  readonly headerStart: number;
  readonly headerEnd: number;
};

/** A parsed robots.txt. `byAgent` merges every group naming the same token, as §2.2.1 requires. */
export type Robots = {
  /** The lines parsed: BOM removed, cut to `ROBOTS_MAX_BYTES` in whole lines, line endings dropped. */
  readonly lines: readonly string[];
  readonly groups: readonly RobotsGroup[];
  readonly byAgent: ReadonlyMap<string, readonly CompiledRule[]>;
  /** `Sitemap:` values, in order (§2.2.4: not tied to any group). */
  readonly sitemaps: readonly string[];
};

/** A rule with its pattern split on `*`, ready to match without building a RegExp per pattern. */
export type CompiledRule = RobotsRule & { readonly pieces: readonly string[]; readonly anchored: boolean };

const AGENT_TOKEN_RE = /^[A-Za-z0-9_-]+/;

/** The group key a `User-agent:` value stands for: "*", its leading product token lower-cased, or null. */
export function agentToken(value: string): string | null {
  const text = value.trim();
  if (text.startsWith("*")) return "*";
  return AGENT_TOKEN_RE.exec(text)?.[0].toLowerCase() ?? null;
}

/** A line's `key: value` record, key lower-cased, comment and surrounding spaces removed; null if it has none. */
export function robotsRecord(line: string): { key: string; value: string } | null {
  const hash = line.indexOf("#");
  const content = hash < 0 ? line : line.slice(0, hash);
  const colon = content.indexOf(":");
  if (colon < 0) return null;
  return { key: content.slice(0, colon).trim().toLowerCase(), value: content.slice(colon + 1).trim() };
}

/** Parses robots.txt text. Never fails: unknown or malformed lines are ignored, as §2.2 asks of crawlers. */
export function parseRobots(input: string): Robots {
  const text = utf8WholeLines(input.startsWith("\uFEFF") ? input.slice(1) : input, ROBOTS_MAX_BYTES);
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.at(-1) === "") lines.pop();
  const groups: Array<{ agents: string[]; rules: RobotsRule[]; headerStart: number; headerEnd: number }> = [];
  const sitemaps: string[] = [];
  let current: (typeof groups)[number] | undefined;
  let inRules = true; // a user-agent line after a rule starts a new group
  lines.forEach((line, index) => {
    const record = robotsRecord(line);
    if (record === null) return;
    const { key, value } = record;
    if (key === "user-agent") {
      if (inRules || current === undefined) {
        current = { agents: [], rules: [], headerStart: index, headerEnd: index };
        groups.push(current);
      }
      const token = agentToken(value);
      if (token !== null) current.agents.push(token);
      current.headerEnd = index;
      inRules = false;
    } else if ((key === "allow" || key === "disallow") && current !== undefined) {
      inRules = true;
      // An empty pattern matches nothing (§2.2.2); a pattern missing its leading "/" is read as if it had one.
      if (value !== "") current.rules.push({ allow: key === "allow", pattern: normalizePath(/^[/*]/.test(value) ? value : `/${value}`) });
    } else if (key === "sitemap" && value !== "") {
      sitemaps.push(value);
    }
  });
  const byAgent = new Map<string, CompiledRule[]>();
  for (const group of groups) {
    for (const agent of new Set(group.agents)) byAgent.set(agent, [...(byAgent.get(agent) ?? []), ...group.rules.map(compileRule)]);
  }
  return { lines, groups, byAgent, sitemaps };
}

function compileRule(rule: RobotsRule): CompiledRule {
  const anchored = rule.pattern.endsWith("$");
  return { ...rule, anchored, pieces: (anchored ? rule.pattern.slice(0, -1) : rule.pattern).split("*") };
}

/**
 * Whether a crawler may fetch `path` (path and query, e.g. `/a?b=c`). `userAgent` is a product token (`GPTBot`) or
 * a whole User-Agent; its first product token that has a group picks the group, else the `*` group, else
 * everything is allowed (§2.2.1). /robots.txt itself is always allowed (§2.2.2).
 */
export function isAllowed(robots: Robots, userAgent: string, path: string): boolean {
  const target = normalizePath(path === "" ? "/" : path);
  if (target === "/robots.txt") return true;
  let rules: readonly CompiledRule[] | undefined;
  for (const token of productTokens(userAgent)) {
    rules = robots.byAgent.get(token.toLowerCase());
    if (rules !== undefined) break;
  }
  rules ??= robots.byAgent.get("*") ?? [];
  let best: CompiledRule | undefined;
  for (const rule of rules) {
    if (!matches(rule, target)) continue;
    const longer = best === undefined || rule.pattern.length > best.pattern.length;
    if (longer || (rule.pattern.length === best?.pattern.length && rule.allow)) best = rule; // allow wins ties (§2.2.2)
  }
  return best?.allow ?? true;
}

/** Glob match: `*` is any run of characters, a final `$` anchors the end; otherwise the pattern is a prefix. */
function matches(rule: CompiledRule, path: string): boolean {
  const { pieces, anchored } = rule;
  const first = pieces[0] ?? "";
  if (!path.startsWith(first)) return false;
  if (pieces.length === 1) return !anchored || path.length === first.length;
  let at = first.length;
  // Leftmost placement of each middle piece is optimal for `*`-only globs, so one pass suffices.
  for (let i = 1; i < pieces.length - 1; i++) {
    const found = path.indexOf(pieces[i] ?? "", at);
    if (found < 0) return false;
    at = found + (pieces[i] ?? "").length;
  }
  const last = pieces.at(-1) ?? "";
  return anchored ? path.length - last.length >= at && path.endsWith(last) : path.indexOf(last, at) >= 0;
}

const PLAIN_RE = /^[\x21-\x24\x26-\x7e]*$/;
const UNRESERVED_RE = /[A-Za-z0-9\-._~]/;

/**
 * Percent-normalises a path or pattern so both compare alike (§2.2.2): non-ASCII, controls and spaces are
 * UTF-8 percent-encoded, escapes of unreserved characters are decoded (`%62` is `b`), other escapes upper-cased.
 */
export function normalizePath(path: string): string {
  if (PLAIN_RE.test(path)) return path;
  let out = "";
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 37 && /^[0-9A-Fa-f]{2}$/.test(path.slice(i + 1, i + 3))) {
      const decoded = String.fromCharCode(parseInt(path.slice(i + 1, i + 3), 16));
      out += UNRESERVED_RE.test(decoded) ? decoded : `%${path.slice(i + 1, i + 3).toUpperCase()}`;
      i += 2;
    } else if (c > 0x20 && c < 0x7f) {
      out += path[i];
    } else {
      const wide = c >= 0xd800 && c < 0xdc00 && (path.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
      const char = wide ? path.slice(i, i + 2) : (path[i] ?? "");
      if (wide) i++;
      out += encodeOrReplace(char);
    }
  }
  return out;
}

function encodeOrReplace(char: string): string {
  try {
    return encodeURIComponent(char);
  } catch {
    return "%EF%BF%BD"; // a lone surrogate: encode U+FFFD, as a UTF-8 encoder would
  }
}
