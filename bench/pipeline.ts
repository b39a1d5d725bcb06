/**
 * `npx tsx bench/pipeline.ts`: the pure scoring pipeline of core/assess.ts in Node, without workerd, I/O or HTTP:
 * facts → requestSignals → listing → assess, with counts from SlidingWindows and the header-consistency memo, as the
 * edge runs it for a Chrome page view. Prints µs per request for repeating and fresh clients (median of 5 runs), and
 * the heap one counting key's windows take. A guide for finding costs in core, not the bench's throughput ratio.
 */
import crawlerRanges from "../core/data/crawler-ranges.json";
import { assess, listing, requestSignals, weighsAgainst, type SignalContext } from "../core/assess";
import type { ClientIp } from "../core/client-ip";
import { bundledDeclaredBots } from "../core/declared-bots";
import { fleetGroup } from "../core/fleet";
import { LruMap } from "../core/lru";
import { compilePolicy } from "../core/policy/compile";
import type { RequestFacts } from "../core/request-facts";
import { requestKind } from "../core/request-kind";
import { SlidingWindow } from "../core/sliding-window";
import type { Reason } from "../core/verdict";
import { buildCrawlerIndex } from "../core/verified-crawlers";

// The bench's policy: the default with the rate signals weighed 0 (a loop's request rate is no person's).
const compiled = compilePolicy({
  version: 1,
  signalWeights: Object.fromEntries(
    ["rate-ip", "rate-ip-burst", "rate-ip-sustained", "rate-prefix", "rate-fingerprint", "rate-asn"].map((c) => [c, 0]),
  ),
});
const crawlers = buildCrawlerIndex(crawlerRanges);
if (!compiled.ok || !crawlers.ok) throw new Error("bundled policy or crawler ranges invalid");
const policy = compiled.value;
const context: SignalContext = {
  declaredBots: bundledDeclaredBots().matcher,
  aiAgents: null,
  crawlers: crawlers.value,
  range: null,
  consistencyMemo: new LruMap<string, readonly Reason[]>(5_000),
};
const headers = {
  accept: "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8",
  "accept-language": "en-US,en;q=0.9",
  "accept-encoding": "gzip, deflate, br, zstd",
  "sec-fetch-site": "none",
  "sec-fetch-mode": "navigate",
  "sec-fetch-dest": "document",
  "sec-ch-ua": '"Chromium";v="131", "Not_A Brand";v="24", "Google Chrome";v="131"',
  "sec-ch-ua-mobile": "?0",
  "sec-ch-ua-platform": '"Linux"',
  "upgrade-insecure-requests": "1",
};
const UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const windows = new Map<string, SlidingWindow>();
const count = (key: string, at: number) => {
  let w = windows.get(key);
  if (w === undefined) windows.set(key, (w = new SlidingWindow()));
  w.add(at);
  return w.counts(at);
};

function one(ip: string, at: number): string {
  const facts: RequestFacts = {
    ip: ip as ClientIp,
    method: "GET",
    path: "/articles/x",
    userAgent: UA,
    headers,
    cf: { httpProtocol: "HTTP/2", tlsVersion: "TLSv1.3" },
    receivedAt: at,
  };
  const own = requestSignals(facts, context);
  const listed = listing(null, own.range);
  const signals = [...own.signals, ...listed.signals];
  const group = fleetGroup(facts);
  requestKind(facts);
  weighsAgainst(signals);
  const c = count(`ip:${ip}`, at);
  const counts = {
    ip: c,
    ipPages: c,
    ipAssets: c,
    ipTarpit: { m1: 0, m10: 0 },
    prefix: c,
    fingerprint: count(`grp:${group}`, at),
    asn: null,
  };
  return assess({ policy, facts, signals, entry: listed.entry, counts, group: { pages: 1, assets: 1 } }).verdict.action;
}

function run(name: string, ipOf: (i: number) => string, n = 50_000): void {
  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    windows.clear();
    const t = performance.now();
    for (let i = 0; i < n; i++) if (one(ipOf(r * n + i), 1_700_000_000_000 + i) !== "allow") throw new Error("not the allow path");
    times.push(((performance.now() - t) * 1000) / n);
  }
  times.sort((a, b) => a - b);
  console.log(`${name}: ${times[2]?.toFixed(2)} µs per request (median of 5 × ${n.toLocaleString("en-US")})`);
}

run("repeating (256 addresses)", (i) => `198.18.${i % 16}.${(i >> 4) % 16}`);
run("fresh (every address new)", (i) => `198.${18 + ((i >> 16) & 1)}.${(i >> 8) & 255}.${i & 255}`);

const before = process.memoryUsage().heapUsed;
const kept: SlidingWindow[] = [];
for (let i = 0; i < 100_000; i++) {
  const w = new SlidingWindow();
  w.add(1_700_000_000_000 + i);
  kept.push(w);
}
globalThis.gc?.();
console.log(`one SlidingWindow with one bucket: ~${((process.memoryUsage().heapUsed - before) / kept.length).toFixed(0)} bytes of heap`);
