import { ROBOTS_MAX_BYTES, agentToken, normalizePath, parseRobots, robotsRecord, type RobotsGroup } from "./robots";
import { utf8Length } from "./utf8";

/** What edge-guard adds to the origin's robots.txt. */
export type ManagedRobotsOptions = {
  /** Product tokens to disallow everywhere (e.g. `AI_CRAWLER_TOKENS` from ./crawlers). */
  readonly aiAgents: readonly string[];
  /** Path prefixes no crawler may enter (e.g. `TRAP_PATH_PREFIX`), so well-behaved ones never see the maze. */
  readonly trapPrefixes: readonly string[];
  /** The site's `Content-Signal` record (core/content-signals.ts) for the `*` group; null or absent: none. */
  readonly contentSignal?: string | null;
};

/**
 * The robots.txt edge-guard serves: the origin's text (null when it has none) with every group also disallowing
 * the trap prefixes, then one group disallowing `/` for the AI agents the origin does not name, then a `*` group
 * for the trap prefixes if the origin has none. An AI agent the origin names keeps the origin's group: that is
 * the site owner's explicit choice (enforcement does not rely on robots.txt). The result fits ROBOTS_MAX_BYTES,
 * cutting the origin's tail if needed, so crawlers always read edge-guard's part; serving it twice changes nothing.
 */
export function managedRobotsTxt(originRobotsText: string | null, opts: ManagedRobotsOptions): string {
  const origin = parseRobots(originRobotsText ?? "");
  const traps = [...new Set(opts.trapPrefixes)];
  // The origin's own Content-Signal wins: the site owner stated the preferences already.
  const signal = origin.lines.some((line) => robotsRecord(line)?.key === "content-signal") ? null : (opts.contentSignal ?? null);
  const tail = managedTail(origin.byAgent, opts.aiAgents, traps, signal);
  const budget = ROBOTS_MAX_BYTES - utf8Length(tail.join("\n")) - 20; // the joining blank line and a closing rule
  const firstStar = origin.groups.find((g) => g.agents.includes("*"));
  const injections = new Map(
    origin.groups.map((g) => [g.headerEnd, [...(g === firstStar && signal !== null ? [signal] : []), ...trapLines(g, traps)]]),
  );
  const head: string[] = [];
  let bytes = 0;
  let open = false; // the last group's user-agent lines have no rule after them yet
  for (const [index, line] of origin.lines.entries()) {
    const chunk = [line, ...(injections.get(index) ?? [])];
    const size = chunk.reduce((sum, l) => sum + utf8Length(l) + 1, 0);
    if (bytes + size > budget) break;
    head.push(...chunk);
    bytes += size;
    const key = robotsRecord(line)?.key;
    if (key === "user-agent") open = chunk.length === 1;
    else if (key === "allow" || key === "disallow") open = false;
  }
  while (head.length > 0 && (head.at(-1) ?? "").trim() === "") head.pop();
  // Without a rule, the tail's user-agent lines would join that group (§2.2); an empty rule matches nothing.
  if (open && tail.length > 0) head.push("Disallow:");
  const out = head.length > 0 && tail.length > 0 ? [...head, "", ...tail] : [...head, ...tail];
  return out.length === 0 ? "" : `${out.join("\n")}\n`;
}

/** The AI-agent group and, when the origin lacks one, a `*` group for the Content Signals and the traps. */
function managedTail(
  byAgent: ReadonlyMap<string, unknown>,
  aiAgents: readonly string[],
  traps: readonly string[],
  signal: string | null,
): string[] {
  const seen = new Set<string>();
  const blocked = aiAgents.filter((agent) => {
    const token = agentToken(agent);
    if (token === null || token === "*" || byAgent.has(token) || seen.has(token)) return false;
    seen.add(token);
    return true;
  });
  const tail: string[] = [];
  if (blocked.length > 0) {
    tail.push("# edge-guard: AI crawlers and agents may not crawl this site.");
    tail.push(...blocked.map((agent) => `User-agent: ${agent.trim()}`), "Disallow: /");
  }
  if (!byAgent.has("*") && (traps.length > 0 || signal !== null)) {
    if (tail.length > 0) tail.push("");
    if (signal !== null) tail.push("# edge-guard: how this site's content may be used (Content Signals, https://contentsignals.org).");
    if (traps.length > 0) tail.push("# edge-guard: trap paths are off limits to every crawler.");
    tail.push("User-agent: *", ...(signal === null ? [] : [signal]), ...traps.map((p) => `Disallow: ${p}`));
    // A group needs a rule (RFC 9309 §2.2): without traps, one that allows everything.
    if (traps.length === 0) tail.push("Allow: /");
  }
  return tail;
}

/** `Disallow:` lines for the traps a group does not already disallow with a plain prefix (`/`, `/archive`). */
function trapLines(group: RobotsGroup, traps: readonly string[]): string[] {
  const prefixes = group.rules.filter((r) => !r.allow && !/[*$]/.test(r.pattern)).map((r) => r.pattern);
  return traps.filter((trap) => !prefixes.some((p) => normalizePath(trap).startsWith(p))).map((trap) => `Disallow: ${trap}`);
}
