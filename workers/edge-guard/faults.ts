/** Where a fault inside edge-guard happened. Each is failed open: the request goes on as if the part said nothing. */
export type FaultKind = "blocklist" | "ledger" | "report" | "tarpit" | "decide" | "policy" | "robots" | "web-bot-auth" | "challenge" | "honeypot";

const counts: Record<FaultKind, number> = {
  blocklist: 0, ledger: 0, report: 0, tarpit: 0, decide: 0, policy: 0, robots: 0, "web-bot-auth": 0, challenge: 0, honeypot: 0,
};

/** Counts and logs a fault that was failed open. The client never learns of it. */
export function recordFault(kind: FaultKind, error: unknown): void {
  counts[kind] += 1;
  const message = error instanceof Error ? error.message : String(error);
  console.error(JSON.stringify({ msg: "edge-guard fault, failed open", code: `fault_${kind}`, kind, error: message, total: counts[kind] }));
}

/** Faults counted in this isolate since it started. */
export function faultCounts(): Readonly<Record<FaultKind, number>> {
  return { ...counts };
}
