/**
 * `npx node --expose-gc --import tsx bench/isolate-memory.ts`: the edge isolate's per-client structures
 * (Counters, the blocklist cache, the header-consistency memo) under 1,000,000 distinct client addresses plus one hot
 * /24 sending half of all requests, driven through the real classes in Node (no workerd: a million requests would
 * take the HTTP bench a quarter of an hour). Prints the JS heap after each 250,000 addresses (after a full GC), the
 * keys held against each cap, and the time of a quiet client's counting beside the hot key as a ratio to the same
 * work with no hot key, in the same run.
 */
import { LruMap } from "../core/lru";
import type { Reason } from "../core/verdict";
import { BlocklistCache } from "../workers/edge-guard/blocklist";
import { Counters, MAX_KEYS } from "../workers/edge-guard/counters";
import { CONSISTENCY_MEMO_MAX } from "../workers/edge-guard/guard";

// Typed with the Workers' types, as the classes it drives (workers/edge-guard): Node's few globals declared here.
const node = globalThis as unknown as { gc?: () => void; process: { memoryUsage(): { heapUsed: number } } };
const gc = node.gc;
if (gc === undefined) throw new Error("run with node --expose-gc");
const heapMb = () => {
  gc();
  return node.process.memoryUsage().heapUsed / 2 ** 20;
};
const DISTINCT = Number(process.env.ISOLATE_MEMORY_CLIENTS ?? 1_000_000);
const t0 = 1_700_000_000_000;
const counters = new Counters();
const blocklist = new BlocklistCache(10_000);
const memo = new LruMap<string, readonly Reason[]>(CONSISTENCY_MEMO_MAX);
const base = heapMb();

/** One request's counting, as assessRequest does it: four keys' req hits, the page or asset hit, nine reads. */
function request(ip: string, prefix: string, at: number, page: boolean): void {
  const keys = [`ip:${ip}`, `net:${prefix}`, "grp:chrome-131-linux", "asn:64500"];
  counters.hit(keys, "req", at);
  counters.hit([keys[0] ?? "", "grp:chrome-131-linux"], page ? "page" : "asset", at);
  for (const key of keys) counters.read(key, "req", at);
  for (const kind of ["page", "asset", "tarpit"] as const) counters.read(keys[0] ?? "", kind, at);
  counters.due(at);
}

console.log(`| distinct addresses | JS heap MB above start | counter keys (cap ${MAX_KEYS.toLocaleString("en-US")}) | evicted |`);
console.log("| --- | --- | --- | --- |");
let at = t0;
for (let i = 0; i < DISTINCT; i++) {
  at = t0 + i; // ~1,000 new addresses a second, then the hot /24 between them
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  request(ip, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.0/24`, at, i % 2 === 0);
  // A new client the snapshot does not list is not cached; one in 100 is a client this isolate looked up in KV.
  if (i % 100 === 0) blocklist.remember(ip, null, at);
  if (i % 50 === 0) memo.set(`ua-${i}`, []); // a new header set now and then
  request(`198.19.255.${(i % 254) + 1}`, "198.19.255.0/24", at, i % 2 === 1); // the hot /24
  if ((i + 1) % 250_000 === 0) {
    const size = counters.size();
    console.log(
      `| ${(i + 1).toLocaleString("en-US")} | ${(heapMb() - base).toFixed(1)} | ${size.keys.toLocaleString("en-US")} | ${size.evicted.toLocaleString("en-US")} |`,
    );
  }
}

// The quiet client beside the hot key: its own counting work, timed with and without the hot /24's hits between.
function quietRun(withHot: boolean): number {
  const start = performance.now();
  for (let i = 0; i < 100_000; i++) {
    at += 1;
    if (withHot) request(`198.19.255.${(i % 254) + 1}`, "198.19.255.0/24", at, true);
    const t = performance.now();
    request("203.0.113.77", "203.0.113.0/24", at, i % 2 === 0);
    quietTime += performance.now() - t;
  }
  return performance.now() - start;
}
let quietTime = 0;
quietRun(false);
quietTime = 0;
quietRun(false);
const alone = quietTime;
quietTime = 0;
quietRun(true);
const beside = quietTime;
console.log(
  `\nquiet client's counting: ${((alone * 1000) / 100_000).toFixed(2)} µs alone, ${((beside * 1000) / 100_000).toFixed(2)} µs beside the hot /24 (ratio ${(beside / alone).toFixed(2)})`,
);
console.log(`blocklist cache: ${blocklist.size.toLocaleString("en-US")} entries; header memo: ${memo.size.toLocaleString("en-US")}`);
