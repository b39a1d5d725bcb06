import { clientPrefix } from "../../core/cidr";
import { LruMap } from "../../core/lru";
import { declaresBot } from "../../core/crawlers";
import { fleetGroup, groupSignals } from "../../core/fleet";
import type { CompiledPolicy } from "../../core/policy/compile";
import { evaluatePolicy, type PolicyVerdict } from "../../core/policy/evaluate";
import { isFeedPath, requestKind } from "../../core/request-kind";
import { FACT_HEADERS, siteOf, type RequestFacts } from "../../core/request-facts";
import { siteKeys } from "../../core/kv-keys";
import { isAllowed } from "../../core/robots";
import { behaviourSignals, declaredBotBudget, type BehaviourCounts } from "../../core/signals/behaviour";
import { headerConsistency } from "../../core/signals/header-consistency";
import { networkSignals } from "../../core/signals/network";
import { datacenterBrowserSignals } from "../../core/signals/datacenter-browser";
import { isTextBrowser, userAgentSignals } from "../../core/signals/user-agent-class";
import { isTrapPath } from "../../core/trap-paths";
import { verifyCrawler } from "../../core/verified-crawlers";
import { devDirectoryOrigins } from "../../core/web-bot-auth/dev-directories";
import { trustedSignerName } from "../../core/web-bot-auth/trust";
import type { BlocklistEntry } from "../../core/blocklist-entry";
import type { Reason } from "../../core/verdict";
import { BlocklistCache } from "./blocklist";
import { Counters } from "./counters";
import { DataSource } from "./data-source";
import { FleetFlags } from "./fleet-flags";
import type { EdgeGuardEnv } from "./env";
import { Faults } from "./faults";
import { HoneypotKeyring } from "./honeypot";
import { ModeVarPublisher } from "./mode-var";
import { OriginRobots } from "./origin-robots";
import { PolicySource } from "./policy-source";
import { RangeCache } from "./ranges";
import { SiteSource } from "./site-source";
import { ReportBuffer } from "./reports";
import { DirectoryCache, fetchDirectoryOverHttps, verifyWebBotAuth } from "./web-bot-auth";
import { signal } from "../../core/signals/registry";

/** How long an isolate trusts what it read from the KV blocklist (a new block reaches the edge within this). */
const BLOCKLIST_CACHE_MS = 10_000;

/**
 * Everything one isolate keeps between requests, in one object passed explicitly (app.ts holds the isolate's one
 * instance; a test may build its own). Built once, on the first request.
 */
export interface IsolateState {
  /** Fail-open faults, counted by kind and published for admin. */
  readonly faults: Faults;
  readonly blocklist: BlocklistCache;
  readonly ranges: RangeCache;
  readonly counters: Counters;
  readonly policy: PolicySource;
  /** Which site a host belongs to (the sites document in KV). */
  readonly sites: SiteSource;
  readonly robots: OriginRobots;
  /** Publishes this deployment's MODE var for admin, once. */
  readonly modeVar: ModeVarPublisher;
  readonly reports: ReportBuffer;
  readonly directories: DirectoryCache;
  /** Verified-crawler ranges and refreshed AI agent tokens. */
  readonly data: DataSource;
  /** Fleet groups flagged now (KV snapshot plus this isolate's own findings). */
  readonly fleets: FleetFlags;
  /** headerConsistency's answers by the inputs it reads: real traffic repeats a few browser builds' header sets. */
  readonly consistency: LruMap<string, readonly Reason[]>;
  /** The honeypot key of the current TOKEN_SECRET and the MACs computed under it. */
  readonly honeypot: HoneypotKeyring;
  /** Requests this isolate handled, and since when (edge /metrics). */
  readonly requests: { count: number; since: number | null };
  /** Logged once per isolate: challenges are off for want of a TOKEN_SECRET. */
  readonly warnings: { challengeOff: boolean };
}

/** Creates the per-isolate state. */
export function createIsolateState(): IsolateState {
  const faults = new Faults();
  return {
    faults,
    blocklist: new BlocklistCache(BLOCKLIST_CACHE_MS),
    ranges: new RangeCache(faults),
    counters: new Counters(),
    policy: new PolicySource(faults),
    sites: new SiteSource(faults),
    robots: new OriginRobots(),
    modeVar: new ModeVarPublisher(),
    reports: new ReportBuffer(faults),
    directories: new DirectoryCache(),
    data: new DataSource(faults),
    fleets: new FleetFlags(faults),
    consistency: new LruMap(CONSISTENCY_MEMO_MAX),
    honeypot: new HoneypotKeyring(),
    requests: { count: 0, since: null },
    warnings: { challengeOff: false },
  };
}

/** The outcome of the pipeline for one request. */
export interface Assessment {
  readonly verdict: PolicyVerdict;
  readonly policy: CompiledPolicy;
  readonly entry: BlocklistEntry | null;
  readonly counts: BehaviourCounts;
  /** The request's fleet group (header + TLS fingerprint). */
  readonly group: string;
}

export type WaitUntil = (promise: Promise<unknown>) => void;

/**
 * Counting keys of a request: its IP, network prefix, fleet group (header + TLS fingerprint) and ASN, within its site
 * (a non-default site's keys, and so its ClientLedger names, carry `site:<id>:`).
 */
function countingKeys(facts: RequestFacts, group: string): { ip: string; group: string; all: string[] } {
  const key = siteKeys(siteOf(facts)).counter;
  const ip = key(`ip:${facts.ip}`);
  const groupKey = key(`grp:${group}`);
  const all = [ip, key(`net:${clientPrefix(facts.ip) ?? facts.ip}`), groupKey];
  if (facts.cf.asn !== undefined) all.push(key(`asn:${facts.cf.asn}`));
  return { ip, group: groupKey, all };
}

/** Distinct header sets remembered per isolate (`IsolateState.consistency`). */
export const CONSISTENCY_MEMO_MAX = 5_000;

/** headerConsistency, memoised by the inputs it reads (it parses the User-Agent and structured client hints). */
function consistencyOf(consistencyMemo: IsolateState["consistency"], facts: RequestFacts): readonly Reason[] {
  const h = facts.headers;
  const key = `${facts.userAgent}\u0000${facts.cf.tlsVersion}\u0000${facts.cf.httpProtocol}\u0000${FACT_HEADERS.map((n) => h[n] ?? "\u0001").join("\u0000")}`;
  let reasons = consistencyMemo.get(key);
  if (reasons === undefined) {
    reasons = headerConsistency(facts);
    consistencyMemo.set(key, reasons);
  }
  return reasons;
}

/** The crawler a request claims to be and whether its address proves it; null when it claims none (or on a fault). */
function crawlerOf(state: IsolateState, facts: RequestFacts): ReturnType<typeof verifyCrawler> {
  try {
    return verifyCrawler(facts.ip, facts.userAgent, state.data.crawlers);
  } catch (error) {
    state.faults.record("decide", error);
    return null;
  }
}

/** Runs a signal; a bug in one signal is counted and the request goes on without it (fail open). */
function safely(faults: Faults, out: Reason[], signal: () => readonly Reason[]): void {
  try {
    out.push(...signal());
  } catch (error) {
    faults.record("decide", error);
  }
}

/**
 * Scores one request: blocklist, signals, counters, policy. Awaits storage only on a blocklist cache miss,
 * for a signed request, for a declared bot's robots.txt, and to sync the counters of a client already under
 * suspicion; the allow path of a known, quiet client awaits nothing.
 */
export async function assess(
  state: IsolateState,
  env: EdgeGuardEnv,
  request: Request,
  facts: RequestFacts,
  extraSignals: readonly Reason[],
  waitUntil: WaitUntil,
): Promise<Assessment> {
  const now = facts.receivedAt;
  const site = siteOf(facts);
  const policy = await state.policy.current(env.BLOCKLIST, now, waitUntil, site);
  // The client's `ip:` entry (its site's): answered from the isolate's cache for a known client; for a new one the KV
  // read starts now and runs while the signals are computed.
  const ipKey = siteKeys(site).ip(facts.ip);
  const known = state.blocklist.knows(ipKey);
  const read = state.blocklist.lookup(env.BLOCKLIST, ipKey, now, waitUntil).catch((error: unknown) => {
    state.faults.record("blocklist", error);
    return null;
  });
  let entry: BlocklistEntry | null = known ? await read : null;

  const signals: Reason[] = [...extraSignals];
  await state.data.refresh(env.BLOCKLIST, now, waitUntil);
  // Before the range blocks: an ASN block is aimed at a network, not at the search engine crawling from it.
  const crawler = crawlerOf(state, facts);
  const verifiedCrawler = crawler?.verified === true;
  let range: ReturnType<RangeCache["lookup"]> = null;
  try {
    await state.ranges.refresh(env.BLOCKLIST, now, waitUntil);
    range = state.ranges.lookup(facts.ip, facts.cf.asn, now, site);
    if (range?.action === "allow") signals.push(signal("allow-listed", `${range.scope}:${range.value}`));
    else if (range?.scope === "asn" && verifiedCrawler) range = null;
  } catch (error) {
    state.faults.record("blocklist", error);
  }
  if (isTrapPath(facts.path)) signals.push(signal("trap-path"));
  safely(state.faults, signals, () => userAgentSignals(facts.userAgent, state.data.declaredBots));
  safely(state.faults, signals, () => {
    // Agents added to ai.robots.txt since this build, from the Cron Trigger's refresh.
    const extra = signals.some((s) => s.code === "ua-ai-crawler") ? null : (state.data.aiAgents?.exec(facts.userAgent)?.[1] ?? null);
    return extra === null ? [] : [signal("ua-ai-crawler", extra)];
  });
  safely(state.faults, signals, () => networkSignals(facts.cf));
  safely(state.faults, signals, () => datacenterBrowserSignals(facts.cf, facts.userAgent));
  safely(state.faults, signals, () => consistencyOf(state.consistency, facts));
  if (crawler !== null)
    signals.push(crawler.verified ? signal("verified-crawler", crawler.crawler) : signal("crawler-spoofed", crawler.crawler));
  if (request.headers.has("signature-input")) signals.push(...(await webBotAuthSignals(state, env, policy, request, now)));
  if (declaresBot(facts.userAgent) && !signals.some((s) => s.code === "verified-crawler")) {
    signals.push(...(await robotsSignals(state, env, request, facts)));
  }

  // A new client's KV read ran while the signals were computed; its answer is awaited all the same, so a listed
  // address is refused from its very first request (a quiet-looking bot must not get one page per isolate).
  if (!known) entry = await read;
  if (range !== null && range.action !== "allow" && entry === null) {
    // A range entry counts like an IP entry of the same action.
    entry = {
      action: range.action,
      reason: `${range.scope}:${range.value} ${range.reason}`.slice(0, 200),
      source: range.source,
      at: range.at,
    };
  }
  if (signals.some((s) => s.code === "allow-listed")) entry = null;
  if (entry?.action === "block") signals.push(signal("blocklist-ip", entry.reason.slice(0, 100)));
  if (entry?.action === "tarpit") signals.push(signal("honeypot-hit", entry.reason.slice(0, 100)));

  const group = fleetGroup(facts);
  try {
    await state.fleets.refresh(env.BLOCKLIST, now, waitUntil);
    const until = state.fleets.flaggedUntil(group, now);
    if (until !== null) signals.push(signal("fleet", group));
  } catch (error) {
    state.faults.record("fleet", error);
  }
  const keys = countingKeys(facts, group);
  const kind = requestKind(facts);
  state.counters.hit(keys.all, "req", now);
  // A client already labelled, or inside the labyrinth, no longer speaks for its group's page/subresource ratio.
  const groupCounted = entry === null && !isTrapPath(facts.path);
  if (kind !== "other") state.counters.hit(groupCounted ? [keys.ip, keys.group] : [keys.ip], kind, now);
  const suspicious = signals.reduce((sum, s) => sum + s.weight, 0) > 0;
  if (suspicious) {
    // A client under suspicion is counted exactly, across isolates, before deciding.
    state.blocklist.suspect(ipKey, now);
    await state.counters.sync(keys.ip, env.CLIENT_LEDGER, now, true).catch((error: unknown) => state.faults.record("ledger", error));
  }
  const counts = readCounts(state, keys.ip, keys.all, now);
  const scripted = signals.some((s) => s.code === "ua-scripted");
  const textBrowser = isTextBrowser(facts.userAgent);
  safely(state.faults, signals, () => {
    const page = kind === "page" && !isFeedPath(facts.path);
    return behaviourSignals(counts, { textBrowser, scripted, declaredBot: declaredBotBudget(signals), page });
  });
  safely(state.faults, signals, () => {
    const c = state.counters;
    const group = { pages: c.read(keys.group, "page", now).m10, assets: c.read(keys.group, "asset", now).m10 };
    return groupSignals(group, { pages: counts.ipPages.m10, assets: counts.ipAssets.m10 }, textBrowser, declaresBot(facts.userAgent));
  });

  let verdict: PolicyVerdict;
  try {
    verdict = evaluatePolicy(policy, facts, signals);
  } catch (error) {
    state.faults.record("decide", error);
    verdict =
      entry?.action === "block"
        ? { action: "block", score: 1000, reasons: signals, decidedBy: null }
        : { action: "allow", score: 0, reasons: signals, decidedBy: null };
  }
  if (entry?.action === "block") verdict = { ...verdict, action: "block" };

  for (const key of state.counters.due(now)) {
    waitUntil(state.counters.sync(key, env.CLIENT_LEDGER, now).catch((error: unknown) => state.faults.record("ledger", error)));
  }
  return { verdict, policy, entry, counts, group };
}

function readCounts(state: IsolateState, ipKey: string, all: readonly string[], now: number): BehaviourCounts {
  const c = state.counters;
  const [, prefixKey = ipKey, fpKey = ipKey, asnKey] = all;
  return {
    ip: c.read(ipKey, "req", now),
    ipPages: c.read(ipKey, "page", now),
    ipAssets: c.read(ipKey, "asset", now),
    ipTarpit: c.read(ipKey, "tarpit", now),
    prefix: c.read(prefixKey, "req", now),
    fingerprint: c.read(fpKey, "req", now),
    asn: asnKey === undefined ? null : c.read(asnKey, "req", now),
  };
}

/**
 * A valid signature proves who signed, not welcome: `web-bot-auth` only for a signer the policy trusts; any other
 * valid signer is an identified bot (`web-bot-auth-unknown`); a signature that does not verify is `-invalid`.
 */
async function webBotAuthSignals(
  state: IsolateState,
  env: EdgeGuardEnv,
  policy: CompiledPolicy,
  request: Request,
  now: number,
): Promise<Reason[]> {
  try {
    const dev = devDirectoryOrigins(env.WEB_BOT_AUTH_DEV_DIRECTORIES, env.DEV_CLIENT_OVERRIDES === "on");
    const outcome = await verifyWebBotAuth(request, now, state.directories, fetchDirectoryOverHttps, dev);
    if (outcome === null) return [];
    if (!outcome.verified) return [signal("web-bot-auth-invalid", outcome.reason)];
    const trusted = trustedSignerName(policy.webBotAuth, outcome.agent, outcome.keyid);
    return trusted !== null
      ? [signal("web-bot-auth", trusted.slice(0, 100))]
      : [signal("web-bot-auth-unknown", outcome.agent.slice(0, 100))];
  } catch (error) {
    state.faults.record("web-bot-auth", error);
    return [];
  }
}

async function robotsSignals(state: IsolateState, env: EdgeGuardEnv, request: Request, facts: RequestFacts): Promise<Reason[]> {
  try {
    const { robots } = await state.robots.get(env.ORIGIN_URL, request.url, facts.receivedAt);
    if (robots === null) return [];
    const url = new URL(request.url);
    return isAllowed(robots, facts.userAgent, url.pathname + url.search) ? [] : [signal("robots-violation")];
  } catch (error) {
    state.faults.record("robots", error);
    return [];
  }
}
