/**
 * `npx tsx bench/recommend.ts`: the cost of GET /api/policy/recommendations' search (core/policy/recommend.ts) in
 * Node, as a ratio against one dry-run replay of the same labelled decisions (core/admin/policy-dry-run.ts), which
 * admin already does on every Preview. Seeded samples: bots and people with a mix of signals; median of 5 runs.
 */
import { dryRunPolicy, factsOf, storedSignals, type StoredDecision } from "../core/admin/policy-dry-run";
import type { ClientIp } from "../core/client-ip";
import { compilePolicy } from "../core/policy/compile";
import { recommend, type LabelledSample } from "../core/policy/recommend";

const CODES = ["rate-ip", "rate-asn", "hdr-old-tls", "tor", "asn-datacenter", "browser-from-datacenter", "ua-empty", "nojs-budget"];
const DOCUMENT = { version: 1, preset: "moderate" };
const compiled = compilePolicy(DOCUMENT);
if (!compiled.ok) throw new Error(compiled.error);
const policy = compiled.value;

let seed = 1;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;

function rows(n: number): Array<{ decision: StoredDecision; label: "human" | "bot" }> {
  return Array.from({ length: n }, (_, i) => {
    const bot = random() < 0.5;
    const reasons = CODES.filter(() => random() < (bot ? 0.3 : 0.1)).map((code) => ({ code, weight: 20 }));
    const decision: StoredDecision = {
      id: i,
      at: i,
      ip: `10.0.${i >> 8}.${i & 255}` as ClientIp,
      method: "GET",
      path: "/articles/x",
      userAgent: "Mozilla/5.0",
      headers: {},
      cf: {},
      reasons,
      recordedAction: "allow",
    };
    return { decision, label: bot ? "bot" : "human" };
  });
}

function median(run: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    run();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[2] ?? 0;
}

for (const n of [1000, 5000]) {
  const labelled = rows(n);
  const samples: LabelledSample[] = labelled.map((r) => ({
    facts: factsOf(r.decision),
    signals: storedSignals(r.decision.reasons),
    label: r.label,
  }));
  const decisions = labelled.map((r) => r.decision);
  const replay = median(() => dryRunPolicy(policy, policy, decisions));
  const search = median(() => recommend(policy, DOCUMENT, samples));
  console.log(
    `${n} labelled decisions: recommend ${search.toFixed(1)} ms, one dry-run replay ${replay.toFixed(1)} ms, ratio ${(search / replay).toFixed(1)}×`,
  );
}
