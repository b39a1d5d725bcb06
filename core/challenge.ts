import { z } from "zod";
import type { ClientIp } from "./client-ip";

/** Fewest leading zero bits a proof of work may ask for (~16 k SHA-256 on average: instant). */
export const MIN_POW_BITS = 14;
/**
 * Most leading zero bits a proof of work may ask for (~1 M SHA-256 on average). Measured in headless Chromium on a
 * 2-core server, one Web Worker: ~0.75 s mean at 20 bits (~1.4 M hash/s); a mid-range phone is 2-4x slower per core.
 */
export const MAX_POW_BITS = 20;

/** The score band in which edge-guard challenges (the policy's `thresholds` fit): difficulty rises from `challenge` to `tarpit`. */
export interface DifficultyThresholds {
  readonly challenge: number;
  readonly tarpit: number;
}

/** Leading zero bits to demand for a score: linear over the challenge band, clamped to [MIN_POW_BITS, MAX_POW_BITS]. */
export function difficultyFor(score: number, thresholds: DifficultyThresholds): number {
  const { challenge, tarpit } = thresholds;
  if (Number.isNaN(score) || score <= challenge) return MIN_POW_BITS;
  if (score >= tarpit || tarpit <= challenge) return MAX_POW_BITS;
  const share = (score - challenge) / (tarpit - challenge);
  return Math.round(MIN_POW_BITS + share * (MAX_POW_BITS - MIN_POW_BITS));
}

const MAPPED_V4_PREFIX = "0000:0000:0000:0000:0000:ffff:";

/** The network a pass is bound to: IPv4 /24 (`192.0.2.0/24`), IPv6 /64 (`2001:0db8:0001:0002::/64`). IPv4-mapped IPv6 counts as IPv4. */
export function passPrefix(ip: ClientIp): string {
  if (ip.startsWith(MAPPED_V4_PREFIX)) {
    const [hi = "0", lo = "0"] = ip.slice(MAPPED_V4_PREFIX.length).split(":");
    const a = Number.parseInt(hi, 16);
    const b = Number.parseInt(lo, 16);
    return `${a >> 8}.${a & 0xff}.${b >> 8}.0/24`;
  }
  if (ip.includes(":")) return `${ip.split(":").slice(0, 4).join(":")}::/64`;
  return `${ip.split(".").slice(0, 3).join(".")}.0/24`;
}

/** The text whose SHA-256 a ticket and a pass carry as their binding: the client's prefix and User-Agent. */
export function bindingText(prefix: string, userAgent: string): string {
  return `${prefix}\n${userAgent}`;
}

/** Number of leading zero bits of a digest (most significant bit of byte 0 first). */
export function leadingZeroBits(digest: Uint8Array): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

/** True when `digest` starts with at least `bits` zero bits. */
export function meetsDifficulty(digest: Uint8Array, bits: number): boolean {
  return leadingZeroBits(digest) >= bits;
}

/** A counter as the client submits it: decimal, no sign, no leading zeros, at most 15 digits (a safe integer). */
export const COUNTER_RE = /^(0|[1-9]\d{0,14})$/;

/** The text whose SHA-256 the work is about: the ticket nonce followed by the decimal counter (one 64-byte block). */
export function powInput(nonce: string, counter: string): string {
  return `${nonce}${counter}`;
}

const MAX_RETURN_PATH = 2048;
// One leading slash, then printable ASCII without space or backslash (browsers read `\` as `/`, and strip tabs
// and newlines, which would turn `/\t/evil.example` into `//evil.example`). URL.pathname is already percent-encoded.
const RETURN_PATH_RE = /^\/(?!\/)[\x21-\x5b\x5d-\x7e]*$/;

/**
 * A return path safe to redirect to: same-site, starting with a single `/`. Anything else (`//host`, `/\host`,
 * `https://…`, control characters, too long) becomes `/`, so a redirect can never leave the site.
 */
export function safeReturnPath(input: string): string {
  return input.length <= MAX_RETURN_PATH && RETURN_PATH_RE.test(input) ? input : "/";
}

/** How a challenge was passed. Reported as a human label. */
export type SolveMethod = "pow" | "nojs" | "turnstile";

/** JWT audiences: a ticket can never be presented as a pass, nor the reverse. */
export const TICKET_AUDIENCE = "edge-guard/ticket";
export const PASS_AUDIENCE = "edge-guard/pass";

/** Lifetime of a ticket (the signed challenge embedded in the page). */
export const TICKET_TTL_S = 300;
/** Lifetime of a pass cookie. */
export const PASS_TTL_S = 3600;

const NONCE_RE = /^[A-Za-z0-9_-]{16,64}$/;
const BINDING_RE = /^[A-Za-z0-9_-]{16,64}$/;

/** Claims of a ticket: what the server asked for, of whom, and where to go afterwards. */
export const TicketClaimsSchema = z.object({
  aud: z.literal(TICKET_AUDIENCE),
  /** Random nonce (base64url): the prefix of the hashed text, and the replay key. */
  n: z.string().regex(NONCE_RE),
  /** Leading zero bits required. */
  d: z.int().min(1).max(32),
  /** Return path, already made safe. */
  r: z.string().max(MAX_RETURN_PATH),
  /** base64url SHA-256 of `bindingText(prefix, userAgent)`, truncated. */
  b: z.string().regex(BINDING_RE),
  /** What the page asked for: work, or a Turnstile token. */
  m: z.enum(["pow", "turnstile"]),
  /** Issued at / expires, epoch seconds. */
  iat: z.int(),
  exp: z.int(),
});
export type TicketClaims = z.infer<typeof TicketClaimsSchema>;

/** Claims of a pass cookie: who it is for and how it was earned. */
export const PassClaimsSchema = z.object({
  aud: z.literal(PASS_AUDIENCE),
  b: z.string().regex(BINDING_RE),
  m: z.enum(["pow", "nojs", "turnstile"]),
  iat: z.int(),
  exp: z.int(),
});
export type PassClaims = z.infer<typeof PassClaimsSchema>;

/** Milliseconds a no-JS client must still wait before its ticket is accepted (0: ready). `iat` is in epoch seconds. */
export function nojsWaitLeftMs(iat: number, now: number, minWaitMs: number): number {
  return Math.max(0, iat * 1000 + minWaitMs - now);
}

/** Most entries an in-memory ledger keeps; past it the oldest are forgotten (bounded isolate memory). */
export const MEMORY_MAX_ENTRIES = 20_000;

/**
 * Ticket nonces already spent, in isolate memory. Stops replay within one isolate only: another isolate or
 * location accepts a replayed ticket until it expires (it would still yield a pass bound to the same client).
 */
export class NonceLedger {
  readonly #expiries = new Map<string, number>();

  /** Spends `nonce` (valid until `expiresAt`, epoch ms). False when it was already spent. */
  use(nonce: string, expiresAt: number, now: number): boolean {
    const seen = this.#expiries.get(nonce);
    if (seen !== undefined && seen > now) return false;
    if (this.#expiries.size >= MEMORY_MAX_ENTRIES) this.#sweep(now);
    this.#expiries.set(nonce, expiresAt);
    return true;
  }

  #sweep(now: number): void {
    for (const [nonce, expiresAt] of this.#expiries) if (expiresAt <= now) this.#expiries.delete(nonce);
    // Still full: drop the oldest (Map keeps insertion order).
    for (const nonce of this.#expiries.keys()) {
      if (this.#expiries.size < MEMORY_MAX_ENTRIES) break;
      this.#expiries.delete(nonce);
    }
  }
}

/** At most `limit` events per key per `windowMs`, in isolate memory (a per-isolate, best-effort limit). */
export class RecentEvents {
  readonly #times = new Map<string, number[]>();
  constructor(
    readonly limit: number,
    readonly windowMs = 60_000,
  ) {}

  /** True when one more event for `key` at `now` stays within the limit. */
  allows(key: string, now: number): boolean {
    return this.#recent(key, now).length < this.limit;
  }

  /** Counts an event for `key` at `now`. */
  record(key: string, now: number): void {
    const times = this.#recent(key, now);
    times.push(now);
    this.#times.delete(key);
    if (this.#times.size >= MEMORY_MAX_ENTRIES) {
      const oldest = this.#times.keys().next();
      if (oldest.done !== true) this.#times.delete(oldest.value);
    }
    this.#times.set(key, times);
  }

  #recent(key: string, now: number): number[] {
    return (this.#times.get(key) ?? []).filter((at) => at > now - this.windowMs);
  }
}
