import { TRAP_PATH_PREFIX } from "./trap-paths";

/**
 * Honeypot links bound to the client they were served to. A link carries two MACs under a key derived from
 * TOKEN_SECRET: one over (User-Agent, hour), one over (network prefix, User-Agent, hour). Whoever requests the
 * link from the network and browser it was served to followed it themselves (`own`: a label); the same browser
 * build from another network is a fleet passing URLs around (`foreign`: evidence, no label); anything else was
 * forged, stale or copied into someone else's page (`none`). The MAC itself is passed in (WebCrypto in the Worker).
 */
export type HoneypotMac = (message: string) => Promise<string>;

/** What a trap path's token says about the client requesting it. */
export type TokenMatch = "own" | "foreign" | "none";

/** A token is valid in the hour it was issued and the next one. */
export const HONEYPOT_HOUR_MS = 3_600_000;

/** Hex digits kept of each MAC: 40 bits, so a forged token works once in ~10^12 tries. */
export const HONEYPOT_MAC_HEX = 10;

const HONEYPOT_PATH = new RegExp(`^${TRAP_PATH_PREFIX}([0-9a-f]{${HONEYPOT_MAC_HEX}})([0-9a-f]{${HONEYPOT_MAC_HEX}})/index\\.html$`);

/** The hour number a time falls in (epoch hours). */
export function honeypotHour(now: number): number {
  return Math.floor(now / HONEYPOT_HOUR_MS);
}

/** The message of the User-Agent part: the same for every network. */
export function uaMessage(userAgent: string, hour: number): string {
  return `honeypot-ua\n${hour}\n${userAgent}`;
}

/** The message of the client part: the network prefix (IPv4 /24, IPv6 /64) as well. */
export function ownMessage(prefix: string, userAgent: string, hour: number): string {
  return `honeypot-own\n${hour}\n${prefix}\n${userAgent}`;
}

/** The hidden link's path for a client (prefix, User-Agent) at `now`. */
export async function honeypotPath(mac: HoneypotMac, prefix: string, userAgent: string, now: number): Promise<string> {
  const hour = honeypotHour(now);
  const [ua, own] = await Promise.all([mac(uaMessage(userAgent, hour)), mac(ownMessage(prefix, userAgent, hour))]);
  return `${TRAP_PATH_PREFIX}${ua.slice(0, HONEYPOT_MAC_HEX)}${own.slice(0, HONEYPOT_MAC_HEX)}/index.html`;
}

/** The two token parts of a honeypot path, or null for any other path (a maze page, a guess, garbage). */
export function parseHoneypotPath(path: string): { readonly ua: string; readonly own: string } | null {
  const match = HONEYPOT_PATH.exec(path);
  return match === null ? null : { ua: match[1] ?? "", own: match[2] ?? "" };
}

/**
 * Whose token a trap path carries, for the client (prefix, User-Agent) requesting it at `now`: the current or the
 * previous hour. Costs no MAC for a path without a token, and at most three otherwise.
 */
export async function matchHoneypotPath(
  mac: HoneypotMac,
  path: string,
  prefix: string,
  userAgent: string,
  now: number,
): Promise<TokenMatch> {
  const token = parseHoneypotPath(path);
  if (token === null) return "none";
  const hour = honeypotHour(now);
  for (const h of [hour, hour - 1]) {
    if (!sameHex(token.ua, await mac(uaMessage(userAgent, h)))) continue;
    return sameHex(token.own, await mac(ownMessage(prefix, userAgent, h))) ? "own" : "foreign";
  }
  return "none";
}

/** Compares a token part with the first HONEYPOT_MAC_HEX digits of a MAC, in time independent of where they differ. */
function sameHex(part: string, mac: string): boolean {
  if (part.length !== HONEYPOT_MAC_HEX || mac.length < HONEYPOT_MAC_HEX) return false;
  let diff = 0;
  for (let i = 0; i < HONEYPOT_MAC_HEX; i++) diff |= part.charCodeAt(i) ^ mac.charCodeAt(i);
  return diff === 0;
}
