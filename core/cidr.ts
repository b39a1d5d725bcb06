import { fail, ok, type Result } from "./result";
import { BITS, WORDS, formatWords, isV4Mapped, maskWord, parseInto } from "./ip-words";

/** A network in CIDR notation, parsed (https://www.rfc-editor.org/rfc/rfc4632#section-3.1, rfc4291#section-2.3). */
export type Cidr = {
  readonly family: 4 | 6;
  /** Prefix length in bits: 0-32 for IPv4, 0-128 for IPv6. */
  readonly bits: number;
  /** The network address as 32-bit words, most significant first: one for IPv4, four for IPv6. */
  readonly words: readonly number[];
  /** Canonical text: `203.0.113.0/24`, or the fully expanded lower-case network as `parseIp` writes it. */
  readonly text: string;
};

/** Prefix lengths that group one client: an IPv4 /24, or an IPv6 /64, the smallest end-site allocation (https://www.rfc-editor.org/rfc/rfc6177). */
export const CLIENT_PREFIX_BITS: { readonly 4: 24; readonly 6: 64 } = { 4: 24, 6: 64 };

/** How `parseCidr` treats host bits set below the prefix (`10.0.0.1/24`): refuse them, or clear them. */
export type HostBits = "reject" | "mask";

const scratch = new Uint32Array(4);
const PREFIX_RE = /^(0|[1-9]\d{0,2})$/;

/**
 * Parses `address/bits` into its canonical network. A bare address is a host route (/32 or /128). The error
 * names what is wrong, for operators. Host bits are refused unless `hostBits` is "mask": `10.0.0.1/24` is
 * more often a typo than a network.
 */
export function parseCidr(input: string, hostBits: HostBits = "reject"): Result<Cidr, string> {
  const text = input.trim();
  if (text === "") return fail("empty CIDR");
  const slash = text.indexOf("/");
  const end = slash < 0 ? text.length : slash;
  const family = parseInto(text, scratch, 0, end);
  if (family === 0) return fail(`"${text}": "${text.slice(0, end)}" is not an IP address`);
  const max = BITS[family];
  let bits: number = max;
  if (slash >= 0) {
    const length = text.slice(slash + 1);
    if (!PREFIX_RE.test(length) || Number(length) > max) return fail(`"${text}": prefix length must be 0-${max}`);
    bits = Number(length);
  }
  const words = Array.from({ length: WORDS[family] }, (_, w) => ((scratch[w] ?? 0) & maskWord(w, bits)) >>> 0);
  const network = formatWords(family, words);
  if (hostBits === "reject" && words.some((v, w) => v !== scratch[w])) {
    return fail(`"${text}": host bits are set below /${bits}; the network is ${network}/${bits}`);
  }
  return ok({ family, bits, words, text: `${network}/${bits}` });
}

/** True when `ip` (any IPv4 or IPv6 text) lies inside `cidr`. An IPv4-mapped IPv6 address counts as IPv4. */
export function cidrContains(cidr: Cidr, ip: string): boolean {
  let family = parseInto(ip, scratch);
  if (family === 6 && cidr.family === 4 && isV4Mapped(scratch)) {
    scratch[0] = scratch[3] ?? 0;
    family = 4;
  }
  if (family !== cidr.family) return false;
  for (let w = 0; w < WORDS[family]; w++) {
    if (((scratch[w] ?? 0) & maskWord(w, cidr.bits)) >>> 0 !== cidr.words[w]) return false;
  }
  return true;
}

/**
 * The canonical CIDR of the `bits`-long prefix holding `ip`, e.g. `prefixOf("203.0.113.9", 24)` is
 * `203.0.113.0/24`: a key for per-prefix counting and prefix blocks. Null if `ip` is not an address or
 * `bits` exceeds its family's width.
 */
export function prefixOf(ip: string, bits: number): string | null {
  const family = parseInto(ip.trim(), scratch);
  if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > BITS[family]) return null;
  return maskedScratch(family, bits);
}

/** The address in `scratch` (just parsed, of `family`) masked to `bits`, as prefix text. */
function maskedScratch(family: 4 | 6, bits: number): string {
  const words: number[] = [];
  for (let w = 0; w < WORDS[family]; w++) words.push(((scratch[w] ?? 0) & maskWord(w, bits)) >>> 0);
  return `${formatWords(family, words)}/${bits}`;
}

/** The client prefix key of `ip`: its IPv4 /24 or IPv6 /64 (see `CLIENT_PREFIX_BITS`), or null. */
export function clientPrefix(ip: string): string | null {
  const family = parseInto(ip.trim(), scratch);
  return family === 0 ? null : maskedScratch(family, CLIENT_PREFIX_BITS[family]); // parsed once, the edge asks per request
}
