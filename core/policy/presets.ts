import type { PresetName, Rule, Thresholds } from "./schema";

/** A named starting point: thresholds plus rules that run after the operator's own. */
export interface Preset {
  readonly thresholds: Thresholds;
  readonly rules: readonly Rule[];
}

/** Rules every preset shares: who must always get through, and who never gets real pages. */
const BASE_RULES: readonly Rule[] = [
  {
    name: "allow-list",
    description: "an operator allow-listed this address, range or network",
    match: { signal: ["allow-listed"] },
    action: "allow",
  },
  {
    name: "well-known-paths",
    description: "robots.txt, sitemaps, favicons and /.well-known are for everyone, crawlers included",
    match: { path: "^/(?:robots\\.txt|sitemap[^/]*\\.xml|favicon\\.ico|\\.well-known/.*)$" },
    action: "allow",
  },
  { name: "honeypot", description: "followed a link no person can see", match: { signal: ["honeypot-hit"] }, action: "tarpit" },
  // Before the verified-crawler allow: a verified AI crawler is still an AI crawler (the managed robots.txt told it no).
  { name: "ai-crawlers", description: "declared AI crawlers (ai.robots.txt list)", match: { signal: ["ua-ai-crawler"] }, action: "tarpit" },
  {
    name: "verified-crawlers",
    description: "search and archive crawlers verified by their published IP ranges",
    match: { signal: ["verified-crawler"] },
    action: "allow",
  },
  {
    name: "trusted-signers",
    description: "Web Bot Auth signatures from signers the policy trusts",
    match: { signal: ["web-bot-auth"] },
    action: "allow",
  },
  // A valid signature from anyone else only proves who the bot is: anyone can publish a key directory.
  {
    name: "identified-bots",
    description: "Web Bot Auth signatures from signers the policy does not trust",
    match: { signal: ["web-bot-auth-unknown"] },
    action: "tarpit",
  },
  {
    name: "spoofed-crawlers",
    description: "claims a search engine's name from outside its ranges",
    match: { signal: ["crawler-spoofed"] },
    action: "tarpit",
  },
  {
    name: "declared-bot-budget",
    description: "a declared bot (not verified, not AI) asked for more pages than its budget",
    match: { signal: ["bot-over-budget"] },
    action: "tarpit",
  },
  {
    name: "link-previews",
    description: "link-preview fetchers run in datacenters; their per-minute budget bounds what a spoofer gets",
    match: { signal: ["ua-link-preview"] },
    action: "weigh",
    weight: -20,
  },
  { name: "trap-paths", description: "inside the labyrinth", match: { signal: ["trap-path"] }, action: "tarpit" },
  {
    name: "feeds",
    description: "feed readers poll feeds without browser headers; let them",
    match: { path: "(?:^/feed|\\.(?:xml|rss|atom)$|/feed/?$)" },
    action: "weigh",
    weight: -40,
  },
];

/** Built-in presets. Thresholds apply to the sum of signal and rule weights. */
export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  permissive: { thresholds: { challenge: 60, tarpit: 90, block: 150 }, rules: BASE_RULES },
  moderate: { thresholds: { challenge: 40, tarpit: 70, block: 120 }, rules: BASE_RULES },
  aggressive: {
    thresholds: { challenge: 25, tarpit: 50, block: 90 },
    rules: [
      ...BASE_RULES,
      {
        name: "datacenter-networks",
        description: "requests from hosting ASNs",
        match: { signal: ["asn-datacenter"] },
        action: "weigh",
        weight: 20,
      },
    ],
  },
};
