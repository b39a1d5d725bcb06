/**
 * Turns operations per request (counted by `npm run bench` on the real bindings) into US$ per million requests with
 * the dated price table in cloudflare-prices.ts, and finds where the Free plan's daily limits are reached.
 */
import { PRICES } from "./cloudflare-prices";

export type PathName = "allow" | "challenge" | "tarpit" | "block";

/** Billable operations of one request on a path, averaged. */
export interface PathOps {
  /** Worker invocations billed as requests (a service binding call to the tarpit is not billed as a request). */
  readonly workerRequests: number;
  /** CPU ms in all Workers the request touched. */
  readonly cpuMs: number;
  readonly kvReads: number;
  readonly kvWrites: number;
  readonly kvLists: number;
  readonly doCalls: number;
  readonly queueMessages: number;
  /** Average body size of those messages, bytes (a message costs 3 operations per started 64 KB). */
  readonly queueMessageBytes: number;
}

/** Assumed active time of a Durable Object per call (billed duration), and rows written per call. */
export const DO_ACTIVE_MS_PER_CALL = 10;
export const DO_ROWS_WRITTEN_PER_CALL = 1;

/** Queue operations per message of `bytes`. */
export function queueOperations(bytes: number): number {
  return PRICES.queues.operationsPerMessage * Math.max(1, Math.ceil(bytes / PRICES.queues.bytesPerOperation));
}

/** US$ per million requests on one path, by component. */
export function usdPerMillion(ops: PathOps): { workers: number; kv: number; durableObjects: number; queues: number; total: number } {
  const workers = ops.workerRequests * PRICES.workers.perMillionRequests + ops.cpuMs * PRICES.workers.perMillionCpuMs;
  const kv = ops.kvReads * PRICES.kv.perMillionReads + ops.kvWrites * PRICES.kv.perMillionWrites + ops.kvLists * PRICES.kv.perMillionLists;
  const doGbS = ops.doCalls * (DO_ACTIVE_MS_PER_CALL / 1000) * PRICES.durableObjects.gbPerObject;
  const durableObjects =
    ops.doCalls * PRICES.durableObjects.perMillionRequests +
    doGbS * PRICES.durableObjects.perMillionGbSeconds +
    ops.doCalls * DO_ROWS_WRITTEN_PER_CALL * PRICES.durableObjects.perMillionRowsWritten;
  const queues = ops.queueMessages * queueOperations(ops.queueMessageBytes) * PRICES.queues.perMillionOperations;
  return { workers, kv, durableObjects, queues, total: workers + kv + durableObjects + queues };
}

/** The share of each path in a site's traffic. */
export type TrafficMix = Readonly<Record<PathName, number>>;

/** Operations per request of the whole mix (weighted by share). */
export function blended(mix: TrafficMix, ops: Readonly<Record<PathName, PathOps>>): PathOps {
  const keys = ["workerRequests", "cpuMs", "kvReads", "kvWrites", "kvLists", "doCalls", "queueMessages"] as const;
  const out = Object.fromEntries(
    keys.map((k) => [k, (Object.keys(mix) as PathName[]).reduce((sum, p) => sum + mix[p] * ops[p][k], 0)]),
  ) as Record<(typeof keys)[number], number>;
  const messages = (Object.keys(mix) as PathName[]).reduce((sum, p) => sum + mix[p] * ops[p].queueMessages, 0);
  const bytes =
    messages === 0
      ? 0
      : (Object.keys(mix) as PathName[]).reduce((sum, p) => sum + mix[p] * ops[p].queueMessages * ops[p].queueMessageBytes, 0) / messages;
  return { ...out, queueMessageBytes: bytes };
}

/** Where each Free-plan daily limit is reached: requests a day at which the blended operations hit it. */
export function freePlanLimits(perRequest: PathOps): { limit: string; perDay: number; perRequest: number; requestsPerDay: number }[] {
  const f = PRICES.free;
  const rows = [
    { limit: "Workers requests", perDay: f.workersRequestsPerDay, perRequest: perRequest.workerRequests },
    { limit: "KV reads", perDay: f.kvReadsPerDay, perRequest: perRequest.kvReads },
    { limit: "KV writes", perDay: f.kvWritesPerDay, perRequest: perRequest.kvWrites },
    { limit: "KV lists", perDay: f.kvListsPerDay, perRequest: perRequest.kvLists },
    { limit: "Durable Object requests", perDay: f.durableObjectRequestsPerDay, perRequest: perRequest.doCalls },
    {
      limit: "Queue operations",
      perDay: f.queueOperationsPerDay,
      perRequest: perRequest.queueMessages * queueOperations(perRequest.queueMessageBytes),
    },
  ];
  return rows
    .map((r) => ({ ...r, requestsPerDay: r.perRequest === 0 ? Number.POSITIVE_INFINITY : r.perDay / r.perRequest }))
    .sort((a, b) => a.requestsPerDay - b.requestsPerDay);
}
