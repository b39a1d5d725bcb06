import type { FeatureName } from "../features";

/**
 * Every signal the edge can attach to a request, in one place: its default weight (positive: more bot-like; the
 * policy's `signalWeights` may override it), a one-line description for operators, and the model feature that
 * reads it or the fact behind it (null: the model sees it only through `edge_score`, the sum of weights, or for a
 * `context` signal through `edge_context`, the sum of context weights; for
 * `hdr_headless`, `hdr_inconsistent`, `sig_rate` and `sig_no_subresources` the feature is exactly "one of these
 * signals is present", see core/features.ts). A code that is not here does
 * not type-check, and a policy naming one is refused at validation, so a typo cannot become a silent new signal.
 */
export interface SignalSpec {
  readonly weight: number;
  readonly description: string;
  readonly feature: FeatureName | null;
  /** What the signal is about (groups the dashboard's list; `trap` signals only keep a client in the labyrinth). */
  readonly family: SignalFamily;
  /**
   * Describes where a request comes from, what its group did or what the client openly declares, not what this
   * client did: people share hosting networks (VPNs), Tor, busy prefixes and popular browser builds with bots, and a
   * feed reader or link preview is a wanted bot. May raise friction (a challenge), never the evidence a block needs
   * (core/escalation-verdict.ts).
   */
  readonly context?: boolean;
  /** Bot evidence for the fleet group of the address that earned it (core/fleet.ts). */
  readonly fleetEvidence?: boolean;
}

export type SignalFamily = "list" | "user-agent" | "headers" | "network" | "behaviour" | "trap" | "identity" | "challenge" | "fleet";

export const SIGNALS = {
  // Lists the operator, peers and escalation keep.
  "allow-listed": { weight: -1000, family: "list", feature: null, description: "On the operator's allow list (address, range or network)" },
  "blocklist-ip": { weight: 1000, family: "list", feature: null, description: "On the blocklist with a block entry" },
  "honeypot-hit": {
    weight: 100,
    family: "trap",
    feature: null,
    fleetEvidence: true,
    description: "Labelled for the labyrinth (it followed a hidden link or was sent there)",
  },

  // What the User-Agent says.
  "ua-empty": { weight: 45, family: "user-agent", feature: "ua_scripted", description: "No User-Agent at all" },
  "ua-ai-crawler": {
    weight: 60,
    family: "user-agent",
    feature: "ua_ai_crawler",
    description: "User-Agent names a known AI crawler or agent",
  },
  "ua-scripted": {
    weight: 30,
    family: "user-agent",
    feature: "ua_scripted",
    description: "User-Agent of an HTTP library or command-line tool",
  },
  "ua-automation": { weight: 0, family: "user-agent", feature: "hdr_headless", description: "User-Agent of a browser-automation tool" },
  // Declared bots weigh little, so one alone is never challenged, but above zero, so the edge counts its pages
  // exactly across isolates (the ledger sync) and its page budget holds. Saying what it is is context, never block
  // evidence: a feed reader polling looks like a bot to the model because it is one, and a wanted one.
  "ua-link-preview": {
    weight: 5,
    family: "user-agent",
    feature: null,
    context: true,
    description: "Declared link-preview fetcher (chat apps, social sites)",
  },
  "ua-feed-reader": { weight: 5, family: "user-agent", feature: null, context: true, description: "Declared feed reader" },
  "ua-declared-bot": {
    weight: 5,
    family: "user-agent",
    feature: null,
    context: true,
    description: "Declares itself a bot (not an AI crawler, not verified)",
  },

  // Headers that do not fit the browser the User-Agent claims (core/signals/header-consistency.ts).
  "hdr-empty-ua": { weight: 30, family: "headers", feature: "ua_scripted", description: "Browser-like headers with an empty User-Agent" },
  "hdr-headless": {
    weight: 50,
    family: "headers",
    feature: "hdr_headless",
    description: "User-Agent of a headless browser (HeadlessChrome, PhantomJS…)",
  },
  // Electron is also a legitimate desktop-app runtime, so its marker weighs less than HeadlessChrome's.
  "hdr-headless-electron": { weight: 20, family: "headers", feature: "hdr_headless", description: "User-Agent of an Electron shell" },
  "hdr-chrome-no-sec-ch-ua": {
    weight: 30,
    family: "headers",
    feature: "hdr_inconsistent",
    description: "Claims a Chrome that sends client hints, sends none",
  },
  "hdr-ch-ua-mismatch": {
    weight: 40,
    family: "headers",
    feature: "hdr_inconsistent",
    description: "Client hints name another browser than the User-Agent",
  },
  "hdr-ch-ua-platform-mismatch": {
    weight: 25,
    family: "headers",
    feature: "hdr_inconsistent",
    description: "Client-hint platform differs from the User-Agent's",
  },
  "hdr-ch-ua-mobile-mismatch": {
    weight: 15,
    family: "headers",
    feature: "hdr_inconsistent",
    description: "Client-hint mobile flag differs from the User-Agent's",
  },
  "hdr-browser-no-accept-language": {
    weight: 15,
    family: "headers",
    feature: "no_accept_language",
    description: "A browser without Accept-Language",
  },
  "hdr-browser-no-sec-fetch": {
    weight: 25,
    family: "headers",
    feature: "browser_without_sec_fetch",
    description: "A modern browser without Sec-Fetch headers",
  },
  "hdr-browser-http1": { weight: 15, family: "headers", feature: "hdr_inconsistent", description: "A modern browser over HTTP/1.1" },
  "hdr-accept-wildcard-only": {
    weight: 20,
    family: "headers",
    feature: "accept_wildcard_only",
    description: "A browser that accepts only */*",
  },
  "hdr-old-tls": { weight: 30, family: "headers", feature: "hdr_inconsistent", description: "A modern browser over an old TLS version" },

  // Where the request comes from.
  "asn-datacenter": {
    weight: 15,
    family: "network",
    feature: "datacenter_asn",
    context: true,
    description: "From a hosting or cloud network",
  },
  "browser-from-datacenter": {
    weight: 25,
    family: "network",
    feature: "datacenter_asn",
    context: true,
    description: "A browser User-Agent from a hosting or cloud network",
  },
  tor: { weight: 20, family: "network", feature: null, context: true, description: "From a Tor exit" },

  // Who the client proves to be.
  "verified-crawler": {
    weight: -100,
    family: "identity",
    feature: null,
    description: "Search or archive crawler verified by its published ranges",
  },
  "crawler-spoofed": {
    weight: 80,
    family: "identity",
    feature: null,
    description: "Claims a verified crawler's name from outside its ranges",
  },
  "web-bot-auth": { weight: -100, family: "identity", feature: null, description: "Web Bot Auth signature of a signer the policy trusts" },
  "web-bot-auth-unknown": {
    weight: 50,
    family: "identity",
    feature: null,
    description: "Valid Web Bot Auth signature of a signer the policy does not trust",
  },
  "web-bot-auth-invalid": { weight: 20, family: "identity", feature: null, description: "Web Bot Auth signature that does not verify" },
  "robots-violation": {
    weight: 50,
    family: "identity",
    feature: null,
    fleetEvidence: true,
    description: "A declared bot asked for a path robots.txt disallows for it",
  },

  // What the client did (counters, core/signals/behaviour.ts).
  "rate-ip": { weight: 40, family: "behaviour", feature: "sig_rate", description: "Address over its per-minute rate" },
  "rate-ip-burst": { weight: 80, family: "behaviour", feature: "sig_rate", description: "Address over twice its per-minute rate" },
  "rate-ip-sustained": { weight: 40, family: "behaviour", feature: "sig_rate", description: "Address over its ten-minute rate" },
  "rate-prefix": {
    weight: 25,
    family: "behaviour",
    feature: "sig_rate",
    context: true,
    description: "Network prefix over its per-minute rate",
  },
  "rate-asn": { weight: 10, family: "behaviour", feature: null, context: true, description: "Network (ASN) over its per-minute rate" },
  "rate-fingerprint": {
    weight: 15,
    family: "behaviour",
    feature: "sig_rate",
    context: true,
    description: "Header fingerprint over its per-minute rate",
  },
  "crawl-scripted": {
    weight: 40,
    family: "behaviour",
    feature: null,
    fleetEvidence: true,
    description: "A scripted client read more pages than one-at-a-time tools get",
  },
  "no-subresources": {
    weight: 35,
    family: "behaviour",
    feature: "sig_no_subresources",
    fleetEvidence: true,
    description: "Reads pages and loads nothing they need",
  },
  "bot-over-budget": { weight: 40, family: "behaviour", feature: null, description: "A declared bot read more pages than its budget" },

  // The labyrinth and its hidden links.
  "trap-path": {
    weight: 60,
    family: "trap",
    feature: "trap_share",
    fleetEvidence: true,
    description: "Asked for a path inside the labyrinth",
  },
  // An own token adds to `trap-path`; a foreign one is fleet evidence, not a verdict.
  "honeypot-own": {
    weight: 40,
    family: "trap",
    feature: "trap_share",
    fleetEvidence: true,
    description: "Followed the hidden link served to this very client",
  },
  "honeypot-foreign": {
    weight: 20,
    family: "trap",
    feature: "trap_share",
    fleetEvidence: true,
    description: "Followed a hidden link served to the same User-Agent elsewhere",
  },
  "tarpit-visitor": {
    weight: 30,
    family: "trap",
    feature: "log1p_tarpit_hits",
    description: "Has been inside the labyrinth in the last ten minutes",
  },

  // The challenge page and pass budgets.
  "challenge-solved": { weight: 0, family: "challenge", feature: null, description: "Solved the JavaScript challenge (a person)" },
  "nojs-pass": {
    weight: 10,
    family: "challenge",
    feature: null,
    context: true,
    fleetEvidence: true,
    description: "Took the no-JavaScript pass",
  },
  "nojs-budget": { weight: 10, family: "challenge", feature: null, context: true, description: "Over the no-JavaScript pass budget" },
  "pass-over-budget": {
    weight: 20,
    family: "challenge",
    feature: null,
    context: true,
    fleetEvidence: true,
    description: "Read more with one pass than a pass allows",
  },
  "automation-evidence": {
    weight: 80,
    family: "challenge",
    feature: null,
    fleetEvidence: true,
    description: "The challenge saw browser automation",
  },
  "evidence-forged": { weight: 40, family: "challenge", feature: null, description: "Sent challenge evidence that does not verify" },

  // Groups of clients (core/fleet.ts).
  // Weighs enough to reach every preset's challenge band.
  fleet: { weight: 40, family: "fleet", feature: null, context: true, description: "Member of a header and TLS group flagged as a fleet" },
  "group-no-subresources": {
    weight: 10,
    family: "fleet",
    feature: null,
    context: true,
    fleetEvidence: true,
    description: "Its header and TLS group reads pages without subresources",
  },
} as const satisfies Record<string, SignalSpec>;

/** A signal code the edge computes. */
export type SignalCode = keyof typeof SIGNALS;

/** A reason added by a policy rule: `rule:` and the rule's name. */
export type RuleCode = `rule:${string}`;

/** Every reason code: a computed signal or a policy rule. */
export type ReasonCode = SignalCode | RuleCode;

export const SIGNAL_CODES = Object.keys(SIGNALS) as SignalCode[];

/** True for a code in the registry (the edge computes it). */
export function isSignalCode(code: string): code is SignalCode {
  return Object.hasOwn(SIGNALS, code);
}

/** A signal with its default weight (the policy's override applies in evaluatePolicy). */
export function signal(code: SignalCode, detail?: string): { code: SignalCode; weight: number; detail?: string } {
  return detail === undefined ? { code, weight: SIGNALS[code].weight } : { code, weight: SIGNALS[code].weight, detail };
}

/** The codes of one family, for rules that reason about a whole family. */
export function signalsOf(family: SignalFamily): SignalCode[] {
  return SIGNAL_CODES.filter((code) => SIGNALS[code].family === family);
}

/** The codes a model feature reads. */
export function signalsForFeature(feature: FeatureName): SignalCode[] {
  return SIGNAL_CODES.filter((code) => SIGNALS[code].feature === feature);
}

function codesWhere(test: (spec: SignalSpec) => boolean): ReadonlySet<string> {
  return new Set(SIGNAL_CODES.filter((code) => test(SIGNALS[code])));
}

/** Signals that only say "this client is in or near the trap": they keep a client in the labyrinth, never block it. */
export const TRAP_SIGNALS = codesWhere((s) => s.family === "trap");
/** Signals about a request's network or group, not the client itself (see `SignalSpec.context`). */
export const CONTEXT_SIGNALS = codesWhere((s) => s.context === true);
/** Signals that are bot evidence for the client's fleet group (see `SignalSpec.fleetEvidence`). */
export const FLEET_EVIDENCE_SIGNALS = codesWhere((s) => s.fleetEvidence === true);
