import { fail, ok, type Result } from "./result";
import { isV4Mapped, parseInto } from "./ip-words";

const scratch = new Uint32Array(4);

/**
 * A large set of exact addresses (a million blocked IPs) as sorted typed arrays: 4 bytes per IPv4 address and
 * 16 per IPv6, binary-searched with no allocation per lookup, and any text form of an address matches. A
 * `Set<string>` of a million canonical IPs keeps about 8 times the memory (bench/cidr.ts: ~56 MB against ~7 MB)
 * in an isolate limited to 128 MB, and misses non-canonical forms.
 */
export class IpSet {
  readonly #v4: Uint32Array;
  /** `v4Buckets[h]`: index of the first IPv4 address whose top 16 bits are at least h (cuts cache misses). */
  readonly #v4Buckets: Uint32Array;
  readonly #v6: Uint32Array;

  private constructor(v4: Uint32Array, v6: Uint32Array) {
    this.#v4 = v4;
    this.#v6 = v6;
    this.#v4Buckets = new Uint32Array(65537);
    let i = 0;
    for (let h = 0; h <= 65536; h++) {
      while (i < v4.length && (v4[i] ?? 0) < h * 65536) i++;
      this.#v4Buckets[h] = i;
    }
  }

  /** Distinct addresses held. */
  get size(): number {
    return this.#v4.length + this.#v6.length / 4;
  }

  /** Builds a set from address texts (any IPv4/IPv6 form), or names the first one that is not an address. */
  static build(ips: Iterable<string>): Result<IpSet, string> {
    const v4: number[] = [];
    const v6: number[] = [];
    for (const ip of ips) {
      const family = parseInto(ip, scratch);
      if (family === 0) return fail(`"${ip}" is not an IP address`);
      if (family === 4) v4.push(scratch[0] ?? 0);
      else if (isV4Mapped(scratch)) v4.push(scratch[3] ?? 0);
      else v6.push(scratch[0] ?? 0, scratch[1] ?? 0, scratch[2] ?? 0, scratch[3] ?? 0);
    }
    return ok(new IpSet(distinct(Uint32Array.from(v4).sort()), sortedV6(v6)));
  }

  /** True when `ip` is in the set (IPv4-mapped IPv6 counts as IPv4). */
  has(ip: string): boolean {
    const family = parseInto(ip, scratch);
    if (family === 4) return this.#hasV4(scratch[0] ?? 0);
    if (family === 6) return isV4Mapped(scratch) ? this.#hasV4(scratch[3] ?? 0) : hasV6(this.#v6, scratch);
    return false;
  }

  #hasV4(address: number): boolean {
    const sorted = this.#v4;
    const h = address >>> 16;
    let lo = this.#v4Buckets[h] ?? 0;
    let hi = (this.#v4Buckets[h + 1] ?? 0) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = sorted[mid] ?? 0;
      if (v === address) return true;
      if (v < address) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}

function hasV6(sorted: Uint32Array, address: Uint32Array): boolean {
  let lo = 0;
  let hi = sorted.length / 4 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const d = compare4(sorted, mid * 4, address, 0);
    if (d === 0) return true;
    if (d < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

function compare4(a: Uint32Array, ai: number, b: Uint32Array, bi: number): number {
  for (let w = 0; w < 4; w++) {
    const d = (a[ai + w] ?? 0) - (b[bi + w] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Drops repeats from a sorted array. */
function distinct(sorted: Uint32Array): Uint32Array {
  let n = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[n - 1]) sorted[n++] = sorted[i] ?? 0;
  }
  return sorted.subarray(0, n);
}

/** Sorts and de-duplicates flat 4-word IPv6 addresses. */
function sortedV6(flat: readonly number[]): Uint32Array {
  const words = Uint32Array.from(flat);
  const order = Uint32Array.from({ length: words.length / 4 }, (_, i) => i).sort((a, b) => compare4(words, a * 4, words, b * 4));
  const out: number[] = [];
  let previous = -1;
  for (const i of order) {
    if (previous >= 0 && compare4(words, i * 4, words, previous * 4) === 0) continue;
    previous = i;
    out.push(words[i * 4] ?? 0, words[i * 4 + 1] ?? 0, words[i * 4 + 2] ?? 0, words[i * 4 + 3] ?? 0);
  }
  return Uint32Array.from(out);
}
