// The shape of edge-guard's dev-only operations endpoint: the Worker answers it, the bench and the operation-budget
// test read it.

/** Billable operations edge-guard made on its bindings. */
export interface OperationCounts {
  kvReads: number;
  kvWrites: number;
  kvLists: number;
  kvDeletes: number;
  /** Durable Object requests: every stub edge-guard takes is used for exactly one RPC call. */
  doCalls: number;
  /** Queue messages sent (`send` is one, `sendBatch` one per body), and the sends themselves. */
  queueMessages: number;
  queueSends: number;
  /** Requests to the tarpit over the service binding. */
  tarpitCalls: number;
}

/** Operations made between two snapshots, `after - before`, per kind. */
export function diffOperations(after: OperationCounts, before: OperationCounts): OperationCounts {
  const diff = { ...after };
  for (const key of Object.keys(diff) as (keyof OperationCounts)[]) diff[key] -= before[key];
  return diff;
}

/** Counters for the operation budget and the bench. */
export interface ReportStats {
  /** Allowed requests folded into summaries. */
  allowed: number;
  /** Summary messages sent. */
  summaries: number;
  /** Decision messages sent. */
  decisions: number;
  /** Clients sent early because the summary was full (size or client cap): sent, never dropped. */
  evictions: number;
  /** Clients pending now. */
  pendingClients: number;
  /** Body bytes of all summaries sent (their JSON): what the Queue bills by (per 64 KB). */
  summaryBytes: number;
}

/**
 * What edge-guard's dev-only operations endpoint (`/__edge-guard/operations`, DEV_CLIENT_OVERRIDES on) answers:
 * operations on the bindings, reports sent, and the sizes of the per-isolate structures.
 */
export interface DevStats {
  readonly operations: OperationCounts;
  readonly reports: ReportStats;
  /** Rate-counter keys held, and how many were dropped to stay under the cap. */
  readonly counters: { readonly keys: number; readonly evicted: number };
  /** Blocklist entries cached in the isolate. */
  readonly blocklistCached: number;
  /** Fail-open faults by kind. */
  readonly faults: Readonly<Record<string, number>>;
}
