import type { BlocklistEntry } from "./blocklist-entry";
import type { DeclaredBotMatcher } from "./declared-bots";
import { declaresBot } from "./crawlers";
import { groupSignals, type GroupCounts } from "./fleet";
import type { LruMap } from "./lru";
import type { CompiledPolicy } from "./policy/compile";
import { evaluatePolicy, type PolicyVerdict } from "./policy/evaluate";
import type { RangeEntry } from "./range-entries";
import { isFeedPath, requestKind } from "./request-kind";
import type { RequestFacts } from "./request-facts";
import { behaviourSignals, declaredBotBudget, type BehaviourCounts } from "./signals/behaviour";
import { datacenterBrowserSignals } from "./signals/datacenter-browser";
import { CONSISTENCY_HEADERS, headerConsistency } from "./signals/header-consistency";
import { networkSignals } from "./signals/network";
import { CONTEXT_SIGNALS, signal } from "./signals/registry";
import { isTextBrowser, userAgentSignals } from "./signals/user-agent-class";
import { isTrapPath } from "./trap-paths";
import type { Reason } from "./verdict";
import { verifyCrawler, type CrawlerIndex, type CrawlerVerdict } from "./verified-crawlers";

/**
 * The request-scoring pipeline as pure functions: the edge Worker gathers facts (KV entry, range hit, counters,
 * identity checks that need I/O) and calls these; nothing here reads a store, a clock or the Request. A signal that
 * throws is left out and its error returned (`errors`), so the Worker counts the fault and the request goes on
 * (fail open).
 */

/** The isolate's compiled lists a request's own signals are read against. */
export interface SignalContext {
  readonly declaredBots: DeclaredBotMatcher;
  /** AI agents added since this build (refreshed list), or null. */
  readonly aiAgents: RegExp | null;
  readonly crawlers: CrawlerIndex;
  /** The range (CIDR or ASN) entry covering the client, or null. */
  readonly range: RangeEntry | null;
  /** headerConsistency's answers by the inputs it reads (real traffic repeats a few browser builds' header sets). */
  readonly consistencyMemo?: LruMap<string, readonly Reason[]>;
}

/** What a request says about itself, read against the isolate's lists. */
export interface RequestSignals {
  readonly signals: Reason[];
  /** The crawler the User-Agent claims and whether the address proves it; null when it claims none. */
  readonly crawler: CrawlerVerdict | null;
  /** The range entry that applies: an ASN block does not apply to a verified crawler crawling from that network. */
  readonly range: RangeEntry | null;
  readonly errors: unknown[];
}

/** The signals a request earns from its own facts: path, User-Agent, network, headers, claimed crawler, range. */
export function requestSignals(facts: RequestFacts, context: SignalContext): RequestSignals {
  const signals: Reason[] = [];
  const errors: unknown[] = [];
  const safely = (compute: () => readonly Reason[]): void => {
    try {
      for (const reason of compute()) signals.push(reason);
    } catch (error) {
      errors.push(error);
    }
  };
  let crawler: CrawlerVerdict | null = null;
  try {
    crawler = verifyCrawler(facts.ip, facts.userAgent, context.crawlers);
  } catch (error) {
    errors.push(error);
  }
  let range = context.range;
  // An ASN block is aimed at a network, not at the search engine crawling from it.
  if (range?.action === "allow") signals.push(signal("allow-listed", `${range.scope}:${range.value}`));
  else if (range?.scope === "asn" && crawler?.verified === true) range = null;
  if (isTrapPath(facts.path)) signals.push(signal("trap-path"));
  safely(() => userAgentSignals(facts.userAgent, context.declaredBots));
  safely(() => {
    // Agents added to ai.robots.txt since this build, from the Cron Trigger's refresh.
    if (context.aiAgents === null || signals.some((s) => s.code === "ua-ai-crawler")) return [];
    const extra = context.aiAgents.exec(facts.userAgent)?.[1];
    return extra === undefined ? [] : [signal("ua-ai-crawler", extra)];
  });
  safely(() => networkSignals(facts.cf));
  safely(() => datacenterBrowserSignals(facts.cf, facts.userAgent));
  safely(() => consistencyOf(facts, context.consistencyMemo));
  if (crawler !== null)
    signals.push(crawler.verified ? signal("verified-crawler", crawler.crawler) : signal("crawler-spoofed", crawler.crawler));
  return { signals, crawler, range, errors };
}

/**
 * headerConsistency, memoised by the inputs it reads (it parses the User-Agent and structured client hints): the
 * User-Agent, the transport and CONSISTENCY_HEADERS, not the Referer, so a browser's every page hits the memo.
 */
function consistencyOf(facts: RequestFacts, memo: LruMap<string, readonly Reason[]> | undefined): readonly Reason[] {
  if (memo === undefined) return headerConsistency(facts);
  const h = facts.headers;
  let key = `${facts.userAgent}\u0000${facts.cf.tlsVersion}\u0000${facts.cf.httpProtocol}`;
  for (const name of CONSISTENCY_HEADERS) key += `\u0000${h[name] ?? "\u0001"}`;
  let reasons = memo.get(key);
  if (reasons === undefined) {
    reasons = headerConsistency(facts);
    memo.set(key, reasons);
  }
  return reasons;
}

/**
 * The entry a request is held to: the client's own `ip:` entry, else its range's (which counts like an IP entry of the
 * same action); none at all when an allow entry covers it. Its signal (`blocklist-ip`, `honeypot-hit`) or nothing.
 */
export function listing(ipEntry: BlocklistEntry | null, range: RangeEntry | null): { entry: BlocklistEntry | null; signals: Reason[] } {
  if (range?.action === "allow") return { entry: null, signals: [] };
  let entry = ipEntry;
  if (entry === null && range !== null) {
    entry = {
      action: range.action,
      reason: `${range.scope}:${range.value} ${range.reason}`.slice(0, 200),
      source: range.source,
      at: range.at,
    };
  }
  if (entry?.action === "block") return { entry, signals: [signal("blocklist-ip", entry.reason.slice(0, 100))] };
  if (entry?.action === "tarpit") return { entry, signals: [signal("honeypot-hit", entry.reason.slice(0, 100))] };
  return { entry, signals: [] };
}

/** Whether the signals so far weigh against the client (registry weights): its counts are then synced exactly. */
export function weighsAgainst(signals: readonly Reason[]): boolean {
  let sum = 0;
  for (const s of signals) sum += s.weight;
  return sum > 0;
}

/** Everything the Worker gathered for one request. */
export interface AssessInput {
  readonly policy: CompiledPolicy;
  readonly facts: RequestFacts;
  /** Every signal gathered so far: the request's own, trap, identity, list, fleet, plugin rules. */
  readonly signals: readonly Reason[];
  /** The entry the client is held to (`listing`), or null. */
  readonly entry: BlocklistEntry | null;
  /** The client's and its groups' counts, this request included. */
  readonly counts: BehaviourCounts;
  /** The request's fleet group's pages and subresources over ten minutes. */
  readonly group: GroupCounts;
}

export interface AssessOutcome {
  readonly verdict: PolicyVerdict;
  /** Faults of signals or the policy that were left out (fail open); the Worker counts them. */
  readonly errors: unknown[];
}

/**
 * Scores one request: adds the behaviour signals its counts earn, weighs every signal (registry weight, or the
 * policy's `signalWeights` override), applies the policy's rules and thresholds. A block entry blocks whatever the
 * score; a policy that throws allows (a block entry still blocks).
 */
export function assess(input: AssessInput): AssessOutcome {
  const { facts, counts, entry } = input;
  const signals: Reason[] = [...input.signals];
  const errors: unknown[] = [];
  const scripted = signals.some((s) => s.code === "ua-scripted");
  const textBrowser = isTextBrowser(facts.userAgent);
  try {
    const page = requestKind(facts) === "page" && !isFeedPath(facts.path);
    signals.push(...behaviourSignals(counts, { textBrowser, scripted, declaredBot: declaredBotBudget(signals), page }));
  } catch (error) {
    errors.push(error);
  }
  try {
    const client = { pages: counts.ipPages.m10, assets: counts.ipAssets.m10 };
    signals.push(...groupSignals(input.group, client, textBrowser, declaresBot(facts.userAgent)));
  } catch (error) {
    errors.push(error);
  }
  let verdict: PolicyVerdict;
  try {
    verdict = evaluatePolicy(input.policy, facts, signals);
  } catch (error) {
    errors.push(error);
    verdict =
      entry?.action === "block"
        ? { action: "block", score: 1000, reasons: signals, decidedBy: null }
        : { action: "allow", score: 0, reasons: signals, decidedBy: null };
  }
  verdict = contextCapped(verdict);
  if (entry?.action === "block") verdict = { ...verdict, action: "block" };
  return { verdict, errors };
}

/**
 * Context alone (a hosting network, Tor, a flagged fleet group, a busy prefix: things people share with bots; see
 * `SignalSpec.context`) raises friction to a challenge at most, never the labyrinth or a block: a person on a VPN whose
 * browser build a fleet also sends must get a challenge to pass, not fake pages. A rule of the policy that names its
 * action still decides, and a list entry still holds (`listing`, and the block above).
 */
function contextCapped(verdict: PolicyVerdict): PolicyVerdict {
  if (verdict.decidedBy !== null || (verdict.action !== "tarpit" && verdict.action !== "block")) return verdict;
  if (verdict.reasons.some((r) => r.weight > 0 && !CONTEXT_SIGNALS.has(r.code))) return verdict;
  return { ...verdict, action: "challenge" };
}
