import { clientPrefix } from "../../core/cidr";
import { evaluateRules } from "../../core/rules/evaluate";
import type { PluginRule } from "../../core/rules/plugin";
import { PLUGIN_RULES } from "../../core/rules/registry";
import { LruMap } from "../../core/lru";
import { declaresBot } from "../../core/crawlers";
import { fleetGroup } from "../../core/fleet";
import { assess, listing, requestSignals, weighsAgainst } from "../../core/assess";
import type { CompiledPolicy } from "../../core/policy/compile";
import type { PolicyVerdict } from "../../core/policy/evaluate";
import type { RangeEntry } from "../../core/range-entries";
import { requestKind } from "../../core/request-kind";
import { siteOf, type RequestFacts } from "../../core/request-facts";
import { siteKeys } from "../../core/kv-keys";
import { isAllowed } from "../../core/robots";
import type { BehaviourCounts } from "../../core/signals/behaviour";
import { isTrapPath } from "../../core/trap-paths";
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
  /** The operator's plugin rules (rules/, bundled); a test may swap the list. */
  rules: readonly PluginRule[];
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
    rules: PLUGIN_RULES,
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
  const keys = siteKeys(siteOf(facts));
  const ip = keys.counter(`ip:${facts.ip}`);
  const groupKey = keys.counter(`grp:${group}`);
  const all = [ip, keys.counter(`net:${clientPrefix(facts.ip) ?? facts.ip}`), groupKey];
  if (facts.cf.asn !== undefined) all.push(keys.counter(`asn:${facts.cf.asn}`));
  return { ip, group: groupKey, all };
}

/** The counting key of a request's client within its site (its ClientLedger name): one builder for guard and app. */
export function clientCounterKey(facts: RequestFacts): string {
  return siteKeys(siteOf(facts)).counter(`ip:${facts.ip}`);
}

/** Distinct header sets remembered per isolate (`IsolateState.consistency`). */
export const CONSISTENCY_MEMO_MAX = 5_000;

/**
 * Gathers one request's facts (blocklist, ranges, identity checks, fleet flags, counters) and scores them with the pure
 * pipeline of core/assess.ts. Awaits storage only on a blocklist cache miss, for a signed request, for a declared bot's
 * robots.txt, and to sync the counters of a client already under suspicion; the allow path of a known, quiet client
 * awaits nothing.
 */
export async function assessRequest(
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
  let range: RangeEntry | null = null;
  let listedHint: boolean | null = null;
  try {
    await state.ranges.refresh(env.BLOCKLIST, now, waitUntil);
    range = state.ranges.lookup(facts.ip, facts.cf.asn, now, site);
    listedHint = state.ranges.listed(facts.ip);
  } catch (error) {
    state.faults.record("blocklist", error);
  }
  // The client's `ip:` entry (its site's key). Not in the snapshot's listed addresses (of any site): none (only a label
  // this isolate wrote itself, still cached), with no KV read. Otherwise from the isolate's cache for a known client;
  // for a new one the KV read starts now and runs while the signals are computed.
  const ipKey = siteKeys(site).ip(facts.ip);
  const unlisted = listedHint === false;
  const known = unlisted || state.blocklist.knows(ipKey);
  const read = unlisted
    ? Promise.resolve(state.blocklist.fresh(ipKey, now))
    : state.blocklist.lookup(env.BLOCKLIST, ipKey, now, waitUntil).catch((error: unknown) => {
        state.faults.record("blocklist", error);
        return null;
      });
  const cachedEntry = known ? await read : null;

  await state.data.refresh(env.BLOCKLIST, now, waitUntil);
  const own = requestSignals(facts, {
    declaredBots: state.data.declaredBots,
    aiAgents: state.data.aiAgents,
    crawlers: state.data.crawlers,
    range,
    consistencyMemo: state.consistency,
  });
  for (const error of own.errors) state.faults.record("decide", error);
  const signals: Reason[] = [...extraSignals, ...own.signals];
  const plugins = evaluateRules(state.rules, facts); // the operator's rules/: a throwing one fails open, counted
  signals.push(...plugins.reasons);
  for (const failure of plugins.failed) state.faults.record("rule", failure.error);
  if (request.headers.has("signature-input")) signals.push(...(await webBotAuthSignals(state, env, policy, request, now)));
  if (declaresBot(facts.userAgent) && own.crawler?.verified !== true) signals.push(...(await robotsSignals(state, env, request, facts)));

  // A new client's KV read ran while the signals were computed; its answer is awaited all the same, so a listed
  // address is refused from its very first request (a quiet-looking bot must not get one page per isolate).
  const listed = listing(known ? cachedEntry : await read, own.range);
  signals.push(...listed.signals);
  const entry = listed.entry;

  const group = fleetGroup(facts);
  try {
    await state.fleets.refresh(env.BLOCKLIST, now, waitUntil);
    if (state.fleets.flaggedUntil(group, now) !== null) signals.push(signal("fleet", group));
  } catch (error) {
    state.faults.record("fleet", error);
  }
  const keys = countingKeys(facts, group);
  const kind = requestKind(facts);
  state.counters.hit(keys.all, "req", now);
  // A client already labelled, or inside the labyrinth, no longer speaks for its group's page/subresource ratio.
  const groupCounted = entry === null && !isTrapPath(facts.path);
  if (kind !== "other") state.counters.hit(groupCounted ? [keys.ip, keys.group] : [keys.ip], kind, now);
  if (weighsAgainst(signals)) {
    // A client under suspicion is counted exactly, across isolates, before deciding.
    state.blocklist.suspect(ipKey, now);
    await state.counters.sync(keys.ip, env.CLIENT_LEDGER, now, true).catch((error: unknown) => state.faults.record("ledger", error));
  }
  const counts = readCounts(state, keys.ip, keys.all, now);
  const c = state.counters;
  const groupCounts = { pages: c.read(keys.group, "page", now).m10, assets: c.read(keys.group, "asset", now).m10 };
  const { verdict, errors } = assess({ policy, facts, signals, entry, counts, group: groupCounts });
  for (const error of errors) state.faults.record("decide", error);

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
