import type { HistoryEntry } from "./client-history";
import { aiCrawlerToken, automationToken, declaresBot, scriptedClientToken } from "./crawlers";
import { MAX_SURPRISE_BITS, sequenceStats, type CompiledPathModel } from "./path-sequence";
import type { DecisionReport } from "./report";
import { DATACENTER_ASNS } from "./signals/network";
import { CONTEXT_SIGNALS, signalsForFeature, type SignalCode } from "./signals/registry";

/**
 * The model's inputs, in column order. Training (scripts/model/train-model.ts) and serving (escalation) both call
 * `extractFeatures`, and the ONNX file records this list, so a model built for other columns is refused at load.
 * Changing it means retraining.
 */
export const FEATURE_NAMES = [
  "ua_ai_crawler",
  "ua_scripted",
  "ua_browser",
  "no_accept_language",
  "browser_without_sec_fetch",
  "accept_wildcard_only",
  "hdr_headless",
  "hdr_inconsistent",
  "log1p_hits_1m",
  "log1p_hits_10m",
  "log1p_tarpit_hits",
  "datacenter_asn",
  "edge_score",
  "edge_context",
  "sig_rate",
  "sig_no_subresources",
  "path_surprise",
  "log1p_history",
  "asset_share",
  "trap_share",
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];

/** Number of model inputs (the F of the model's `[N, F]` input). */
export const FEATURE_COUNT = FEATURE_NAMES.length;

/** `metadata_props` keys of a model file: its version, comma-joined feature names, and path model (JSON). */
export const MODEL_METADATA_KEYS = {
  version: "edge_guard.version",
  features: "edge_guard.features",
  pathModel: "edge_guard.path_model",
} as const;

/** The edge rule score at which `edge_score` (and `edge_context`) saturates at 1 (two of edge-guard's 50-point signals). */
export const EDGE_SCORE_FULL = 100;

/** Edge reason codes left out of `edge_score`: a blocklisted IP's later reports must not keep its block alive. */
const SELF_REINFORCING_REASONS: ReadonlySet<string> = new Set<SignalCode>(["blocklist-ip"]);
/** The features that are "one of these edge signals is present" (the registry says which signal feeds which). */
const HEADER_MISMATCH_SIGNALS = signalsForFeature("hdr_inconsistent");
const HEADLESS_SIGNALS = signalsForFeature("hdr_headless");
/** Plus `burst`, the first rule set's rate reason, still in reports stored by that version. */
const RATE_SIGNALS: readonly string[] = [...signalsForFeature("sig_rate"), "burst"];
const NO_SUBRESOURCE_SIGNALS = signalsForFeature("sig_no_subresources");

const BROWSER_SHELL = /^Mozilla\/5\.0 \(/;
const BROWSER_ENGINE =
  /\b(Chrome|CriOS|Firefox|FxiOS|Version\/[\d.]+ (Mobile\/\w+ )?Safari|Edg|EdgA|EdgiOS|OPR|SamsungBrowser|GSA)\/?[\d.]|\(KHTML, like Gecko\) Mobile\/\w+$/;

const DATACENTER_ORG =
  /amazon|aws|google cloud|microsoft|azure|digitalocean|ovh|hetzner|linode|akamai|vultr|choopa|alibaba|tencent|oracle|contabo|scaleway|leaseweb|m247|datacamp|hosting|server|data ?cent(er|re)|colo(cation)?\b|\bvps\b|cloud/i;

/** True when the User-Agent names a known AI crawler or AI agent (list: core/crawlers.ts). */
export function isAiCrawlerUserAgent(userAgent: string): boolean {
  return aiCrawlerToken(userAgent) !== null;
}

/** True for empty User-Agents and those of HTTP libraries, CLI tools and headless/automated browsers. */
export function isScriptedUserAgent(userAgent: string): boolean {
  return userAgent.trim() === "" || scriptedClientToken(userAgent) !== null || automationToken(userAgent) !== null;
}

/** True when the User-Agent looks like a mainstream interactive browser (which a scraper may be spoofing). */
export function isBrowserUserAgent(userAgent: string): boolean {
  return claimsBrowser(userAgent) && !isAiCrawlerUserAgent(userAgent) && !isScriptedUserAgent(userAgent);
}

function claimsBrowser(userAgent: string): boolean {
  return BROWSER_SHELL.test(userAgent) && BROWSER_ENGINE.test(userAgent) && !declaresBot(userAgent);
}

/** True when `request.cf` places the client in a hosting or cloud network. False when unknown. */
export function isDatacenterNetwork(cf: DecisionReport["cf"]): boolean {
  if (cf.asn !== undefined && DATACENTER_ASNS.has(cf.asn)) return true;
  return cf.asOrganization !== undefined && DATACENTER_ORG.test(cf.asOrganization);
}

/** Every code the edge attached to the report: its weighted reasons and its unweighted signals. */
export function reportSignals(report: Pick<DecisionReport, "reasons" | "signals">): Set<string> {
  return new Set([...report.reasons.map((r) => r.code), ...(report.signals ?? [])]);
}

function header(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const direct = headers[name];
  if (direct !== undefined) return direct;
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

/**
 * The edge's score split in two, without reasons that only echo an earlier escalation (see SELF_REINFORCING_REASONS):
 * `evidence`, what this client did or sent (the models may only rise with it), and `context`, the weight of context
 * signals (CONTEXT_SIGNALS: its network, its group, what it openly declares). People on VPNs and office clouds carry
 * 40 points of context (`asn-datacenter` + `browser-from-datacenter`); counted as evidence, a monotone model could
 * never tell them from the bots on those networks.
 */
export function edgeRuleScore(report: DecisionReport): { readonly evidence: number; readonly context: number } {
  let evidence = 0;
  let context = 0;
  for (const r of report.reasons) {
    if (SELF_REINFORCING_REASONS.has(r.code)) continue;
    if (CONTEXT_SIGNALS.has(r.code)) context += r.weight;
    else evidence += r.weight;
  }
  return { evidence, context };
}

const flag = (condition: boolean): number => (condition ? 1 : 0);
const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

/**
 * The model's input row for one report, in `FEATURE_NAMES` order, given the client's earlier requests (see
 * `historyBefore`) and the human path model (null: path surprise 0). Counts are log1p-scaled, the edge's evidence and
 * context scores and path surprise are scaled to [0, 1], shares are in [0, 1], the rest are 0/1 flags. Pure and total: never throws.
 */
export function extractFeatures(report: DecisionReport, history: readonly HistoryEntry[], pathModel: CompiledPathModel | null): number[] {
  const ua = report.userAgent;
  const ai = isAiCrawlerUserAgent(ua);
  const scripted = isScriptedUserAgent(ua);
  const browser = !ai && !scripted && claimsBrowser(ua);
  const signals = reportSignals(report);
  const has = (codes: readonly string[]): boolean => codes.some((code) => signals.has(code));
  const acceptLanguage = header(report.headers, "accept-language")?.trim() ?? "";
  const accept = header(report.headers, "accept")?.trim() ?? "";
  const sequence = sequenceStats([...history.map((h) => h.path), report.path], pathModel);
  const edge = edgeRuleScore(report);
  const row: Record<FeatureName, number> = {
    ua_ai_crawler: flag(ai),
    ua_scripted: flag(scripted),
    ua_browser: flag(browser),
    no_accept_language: flag(acceptLanguage === ""),
    browser_without_sec_fetch: flag(browser && header(report.headers, "sec-fetch-mode") === undefined),
    accept_wildcard_only: flag(accept === "" || accept === "*/*"),
    hdr_headless: flag(has(HEADLESS_SIGNALS) || automationToken(ua) !== null),
    hdr_inconsistent: HEADER_MISMATCH_SIGNALS.filter((code) => signals.has(code)).length / HEADER_MISMATCH_SIGNALS.length,
    log1p_hits_1m: Math.log1p(report.counts.hits1m),
    log1p_hits_10m: Math.log1p(report.counts.hits10m),
    log1p_tarpit_hits: Math.log1p(report.counts.tarpitHits),
    datacenter_asn: flag(isDatacenterNetwork(report.cf)),
    edge_score: clamp01(edge.evidence / EDGE_SCORE_FULL),
    edge_context: clamp01(edge.context / EDGE_SCORE_FULL),
    sig_rate: flag(has(RATE_SIGNALS)),
    sig_no_subresources: flag(has(NO_SUBRESOURCE_SIGNALS)),
    path_surprise: clamp01(sequence.surprise / MAX_SURPRISE_BITS),
    log1p_history: Math.log1p(history.length),
    asset_share: sequence.assetShare,
    trap_share: sequence.trapShare,
  };
  return FEATURE_NAMES.map((name) => row[name]);
}

/** Names each value of a feature row (for logs and the `decisions.features` column). */
export function namedFeatures(row: readonly number[]): Record<FeatureName, number> {
  return Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, row[i] ?? 0])) as Record<FeatureName, number>;
}
