/**
 * CidrSet and IpSet at blocklist scale: 100 k random CIDRs and 1 M random exact IPs from a seeded PRNG, so runs
 * compare. Prints build time, retained memory and ns per lookup (best of 3 rounds). Times are this process's CPU
 * time, which a busy shared machine disturbs less than wall time. Run: npx tsx bench/cidr.ts
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parseCidr, type Cidr } from "../core/cidr";
import { CidrSet } from "../core/cidr-set";
import { IpSet } from "../core/ip-set";
import { SeededRandom } from "../scripts/model/seeded-random";

const CIDRS = 100_000;
const EXACT_IPS = 1_000_000;
const LOOKUPS = 1_000_000;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function randomIps(seed: number, count: number, v4Share: number): Generator<string> {
  const r = new SeededRandom(seed);
  const hex = (): string => r.int(0, 0xffff).toString(16);
  return (function* () {
    for (let i = 0; i < count; i++) {
      yield r.chance(v4Share)
        ? `${r.int(1, 223)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(0, 255)}`
        : `2${r.int(0, 0xfff).toString(16).padStart(3, "0")}:${hex()}:${hex()}:${hex()}:${hex()}:${hex()}:${hex()}:${hex()}`;
    }
  })();
}

/** CPU milliseconds this process has used. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** JS heap plus typed-array backing stores, which live outside the heap. */
function memory(): number {
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

/** Times `build` and reports the memory it retains (its input is generated inside, so only the result stays). */
function build<T>(label: string, run: () => T): T {
  gc();
  const before = memory();
  const t0 = cpuMs();
  const result = run();
  const ms = cpuMs() - t0;
  gc();
  const mb = (memory() - before) / 2 ** 20;
  console.log(`${label.padEnd(46)} ${ms.toFixed(0).padStart(6)} ms build   ${mb.toFixed(1).padStart(6)} MB retained`);
  return result;
}

/** Best-of-3 ns per lookup over pre-made query strings; returns hits so the work is not dead code. */
function lookups(label: string, queries: readonly string[], probe: (ip: string) => boolean): number {
  let best = Infinity;
  let hits = 0;
  for (let round = 0; round < 3; round++) {
    hits = 0;
    const t0 = cpuMs();
    for (let i = 0; i < LOOKUPS; i++) if (probe(queries[i & (queries.length - 1)] ?? "")) hits++;
    best = Math.min(best, ((cpuMs() - t0) * 1e6) / LOOKUPS);
  }
  console.log(
    `${label.padEnd(46)} ${best.toFixed(0).padStart(6)} ns/lookup ${(1e3 / best).toFixed(2).padStart(6)} M/s   ${((100 * hits) / LOOKUPS).toFixed(0)}% hits`,
  );
  return hits;
}

function parseAll(texts: Iterable<string>, offset: number): Array<readonly [Cidr, number]> {
  return Array.from(texts, (text, i) => {
    const cidr = parseCidr(text, "mask");
    if (!cidr.ok) throw new Error(cidr.error);
    return [cidr.value, offset + i] as const;
  });
}

// Flat strings, as JSON.parse yields them (a blocklist read from KV), not the rope strings templates build.
const flat = (ips: Iterable<string>): string[] => JSON.parse(JSON.stringify([...ips])) as string[];
const r = new SeededRandom(2026);
const cidrTexts = [...randomIps(1, CIDRS, 0.8)].map((ip) => `${ip}/${ip.includes(":") ? r.int(16, 128) : r.int(8, 32)}`);
const members = [...randomIps(2, EXACT_IPS, 0.9)].filter((_, i) => i % 15 === 0);
const v4Queries = flat(
  Array.from({ length: 1 << 16 }, (_, i) => (i % 2 === 0 ? (members[i % members.length] ?? "") : ([...randomIps(i, 1, 1)][0] ?? ""))),
);
const mixedQueries = flat(randomIps(3, 1 << 16, 0.5));

console.log(`node ${process.version}; ${CIDRS} CIDRs (80% IPv4, /8-/32 and /16-/128), ${EXACT_IPS} exact IPs (90% IPv4)\n`);
const t0 = cpuMs();
const parsed = parseAll(cidrTexts, 0);
console.log(`${"parseCidr, 100k".padEnd(46)} ${(cpuMs() - t0).toFixed(0).padStart(6)} ms`);
const cidrSet = build("CidrSet, 100k CIDRs", () => new CidrSet(parsed));
const exactIps = build("1M IP strings (input; a Set<string> keeps them)", () => flat(randomIps(2, EXACT_IPS, 0.9)));
const ipSet = build("IpSet, 1M IPs (sorted Uint32Array)", () => {
  const built = IpSet.build(exactIps);
  if (!built.ok) throw new Error(built.error);
  return built.value;
});
const stringSet = build("Set<string>, 1M IPs (+ the strings above)", () => new Set(exactIps));
const hostRoutes = parseAll(exactIps, CIDRS);
const combined = build("CidrSet, 100k CIDRs + 1M host routes", () => new CidrSet([...parsed, ...hostRoutes]));
console.log("");
lookups("CidrSet.match, IPv4 (100k CIDRs)", v4Queries, (ip) => cidrSet.match(ip) !== null);
lookups("CidrSet.match, 50% IPv6 (100k CIDRs)", mixedQueries, (ip) => cidrSet.match(ip) !== null);
lookups("IpSet.has, IPv4 (1M IPs)", v4Queries, (ip) => ipSet.has(ip));
lookups("IpSet.has, 50% IPv6 (1M IPs)", mixedQueries, (ip) => ipSet.has(ip));
lookups("Set<string>.has, IPv4 (1M IPs)", v4Queries, (ip) => stringSet.has(ip));
lookups("CidrSet.match, IPv4 (100k CIDRs + 1M hosts)", v4Queries, (ip) => combined.match(ip) !== null);
