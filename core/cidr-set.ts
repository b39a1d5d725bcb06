import { parseCidr, type Cidr, type HostBits } from "./cidr";
import { fail, ok, type Result } from "./result";
import { isV4Mapped, maskWord, parseInto } from "./ip-words";

/** One network of a `CidrSet` and the value it carries (a label, a list name, a reason). */
export type CidrEntry<T> = { readonly cidr: Cidr; readonly value: T };

/**
 * Address space cut into sorted, disjoint intervals: interval i starts at word tuple i and maps to `entry[i]`.
 * `buckets[h]` is the interval holding the first address whose top 16 bits are h, so a lookup binary-searches
 * only `buckets[h]..buckets[h + 1]`: two or three cache misses instead of one per halving of a large table.
 */
type Table = { readonly starts: Uint32Array; readonly entry: Int32Array; readonly count: number; readonly buckets: Uint32Array };

const scratch = new Uint32Array(4);

/**
 * Many CIDRs, built once, answering "which is the most specific network holding this IP?" in O(log n) with no
 * allocation per lookup. Nested networks are flattened into disjoint intervals at build time (the innermost
 * network owns each interval), so a lookup is one binary search over a typed array. It keeps an object per
 * network: for a million exact addresses use `IpSet` (bench/cidr.ts).
 */
export class CidrSet<T> {
  /** Networks given, duplicates included. */
  readonly size: number;
  readonly #entries: readonly CidrEntry<T>[];
  readonly #v4: Table;
  readonly #v6: Table;

  /** Builds the set in linear time (a radix sort and one sweep); for identical networks the later entry wins. */
  constructor(entries: Iterable<readonly [Cidr, T]>) {
    const list: CidrEntry<T>[] = [];
    for (const [cidr, value] of entries) list.push({ cidr, value });
    this.#entries = list;
    this.#v4 = buildTable(list, 4);
    this.#v6 = buildTable(list, 6);
    this.size = list.length;
  }

  /** Parses `[cidr text, value]` pairs and builds a set, or names the first bad CIDR. */
  static parse<T>(entries: Iterable<readonly [string, T]>, hostBits: HostBits = "reject"): Result<CidrSet<T>, string> {
    const parsed: Array<readonly [Cidr, T]> = [];
    for (const [text, value] of entries) {
      const cidr = parseCidr(text, hostBits);
      if (!cidr.ok) return fail(cidr.error);
      parsed.push([cidr.value, value]);
    }
    return ok(new CidrSet(parsed));
  }

  /** The most specific entry holding `ip` (IPv4 or IPv6 text; IPv4-mapped IPv6 counts as IPv4), or null. */
  match(ip: string): CidrEntry<T> | null {
    const family = parseInto(ip, scratch);
    if (family === 0) return null;
    let index: number;
    if (family === 4) index = lookupV4(this.#v4, scratch[0] ?? 0);
    else if (isV4Mapped(scratch)) index = lookupV4(this.#v4, scratch[3] ?? 0);
    else index = lookupV6(this.#v6, scratch);
    return index < 0 ? null : (this.#entries[index] ?? null);
  }

  /** True when some entry holds `ip`. */
  has(ip: string): boolean {
    return this.match(ip) !== null;
  }
}

function lookupV4(table: Table, address: number): number {
  const { starts, buckets } = table;
  const h = address >>> 16;
  let lo = buckets[h] ?? 0;
  let hi = buckets[h + 1] ?? 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((starts[mid] ?? 0) <= address) lo = mid;
    else hi = mid - 1;
  }
  return table.entry[lo] ?? -1;
}

function lookupV6(table: Table, address: Uint32Array): number {
  const { starts, buckets } = table;
  const h = (address[0] ?? 0) >>> 16;
  let lo = buckets[h] ?? 0;
  let hi = buckets[h + 1] ?? 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (compare(starts, mid * 4, address, 0, 4) <= 0) lo = mid;
    else hi = mid - 1;
  }
  return table.entry[lo] ?? -1;
}

/** Lexicographic comparison of two `width`-word tuples. */
function compare(a: ArrayLike<number>, ai: number, b: ArrayLike<number>, bi: number, width: number): number {
  for (let w = 0; w < width; w++) {
    const d = (a[ai + w] ?? 0) - (b[bi + w] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Flattens one family's networks into disjoint intervals, each owned by the innermost network covering it. */
function buildTable(list: readonly CidrEntry<unknown>[], family: 4 | 6): Table {
  const width = family === 4 ? 1 : 4;
  const members: number[] = [];
  list.forEach((e, i) => {
    if (e.cidr.family === family) members.push(i);
  });
  const n = members.length;
  const start = new Uint32Array(n * width);
  const end = new Uint32Array(n * width);
  const bits = new Uint8Array(n);
  members.forEach((i, k) => {
    const cidr = list[i]?.cidr;
    if (cidr === undefined) return;
    bits[k] = cidr.bits;
    for (let w = 0; w < width; w++) {
      const word = cidr.words[w] ?? 0;
      start[k * width + w] = word;
      end[k * width + w] = (word | ~maskWord(w, cidr.bits)) >>> 0;
    }
  });
  const order = sortOrder(start, bits, width);
  const out = new Emitter(width);
  out.emit(new Uint32Array(width), 0, -1);
  const stack: number[] = [];
  const next = new Uint32Array(width);
  const owner = (): number => {
    const top = stack[stack.length - 1];
    return top === undefined ? -1 : (members[top] ?? -1);
  };
  // Leaves the networks that end before `limit` (or all of them), handing each gap back to the enclosing one.
  const closeBefore = (limit: Uint32Array | null, at: number): void => {
    for (let top = stack[stack.length - 1]; top !== undefined; top = stack[stack.length - 1]) {
      if (limit !== null && compare(end, top * width, limit, at, width) >= 0) return;
      stack.pop();
      if (!increment(end, top * width, next, width)) continue; // ends at the last address: nothing follows
      out.emit(next, 0, owner());
    }
  };
  for (const k of order) {
    closeBefore(start, k * width);
    stack.push(k);
    out.emit(start, k * width, members[k] ?? -1);
  }
  closeBefore(null, 0);
  return out.table();
}

/**
 * Entry indices ordered by start address, then prefix length (outer networks before inner ones at the same
 * start), equal networks in input order so the later wins: a stable LSD radix sort, 16 bits a pass, which
 * keeps a million-entry build linear instead of a comparator sort's n log n calls into JS.
 */
function sortOrder(start: Uint32Array, bits: Uint8Array, width: number): Uint32Array {
  const n = bits.length;
  let order = Uint32Array.from({ length: n }, (_, k) => k);
  let spare = new Uint32Array(n);
  const count = new Uint32Array(65537);
  const pass = (digit: (k: number) => number): void => {
    count.fill(0);
    for (let i = 0; i < n; i++) {
      const d = digit(order[i] ?? 0) + 1;
      count[d] = (count[d] ?? 0) + 1;
    }
    for (let d = 0; d < 65536; d++) count[d + 1] = (count[d + 1] ?? 0) + (count[d] ?? 0);
    for (let i = 0; i < n; i++) {
      const k = order[i] ?? 0;
      const d = digit(k);
      const slot = count[d] ?? 0;
      spare[slot] = k;
      count[d] = slot + 1;
    }
    [order, spare] = [spare, order];
  };
  pass((k) => bits[k] ?? 0);
  for (let w = width - 1; w >= 0; w--) {
    pass((k) => (start[k * width + w] ?? 0) & 0xffff);
    pass((k) => (start[k * width + w] ?? 0) >>> 16);
  }
  return order;
}

/** Writes `source[at..at+width) + 1` into `target`; false when it wraps past the last address. */
function increment(source: Uint32Array, at: number, target: Uint32Array, width: number): boolean {
  let carry = 1;
  for (let w = width - 1; w >= 0; w--) {
    const sum = (source[at + w] ?? 0) + carry;
    target[w] = sum >>> 0;
    carry = sum > 0xffffffff ? 1 : 0;
  }
  return carry === 0;
}

/** Collects interval boundaries in ascending order, merging neighbours with the same owner. */
class Emitter {
  readonly #width: number;
  readonly #starts: number[] = [];
  readonly #entry: number[] = [];

  constructor(width: number) {
    this.#width = width;
  }

  emit(words: Uint32Array, at: number, entry: number): void {
    const count = this.#entry.length;
    const last = count - 1;
    if (count > 0 && this.#entry[last] === entry) return;
    if (count > 0 && compare(this.#starts, last * this.#width, words, at, this.#width) === 0) {
      this.#entry[last] = entry; // a later network starts at the same address: it is more specific
      if (count > 1 && this.#entry[last - 1] === entry) {
        this.#entry.pop();
        this.#starts.length -= this.#width;
      }
      return;
    }
    for (let w = 0; w < this.#width; w++) this.#starts.push(words[at + w] ?? 0);
    this.#entry.push(entry);
  }

  table(): Table {
    const width = this.#width;
    const starts = Uint32Array.from(this.#starts);
    const count = this.#entry.length;
    const buckets = new Uint32Array(65537);
    const first = new Uint32Array(width);
    let i = 0;
    for (let h = 0; h < 65536; h++) {
      first[0] = h * 65536;
      while (i + 1 < count && compare(starts, (i + 1) * width, first, 0, width) <= 0) i++;
      buckets[h] = i;
    }
    buckets[65536] = count - 1;
    return { starts, entry: Int32Array.from(this.#entry), count, buckets };
  }
}
