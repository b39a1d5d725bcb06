/**
 * Cloudflare's published prices and Free-plan limits that the cost model uses (US$, Workers Paid plan, Standard
 * usage model). Transcribed 2026-12-02 from the pricing pages below, as published then; no network is needed to use
 * them, and none was used to check them on that day: re-check before relying on a figure. Monthly inclusions of the
 * Paid plan ($5/month) are listed but the per-million rates are applied to every operation (the marginal cost).
 */
export const PRICES = {
  date: "2026-12-02",
  sources: [
    "https://developers.cloudflare.com/workers/platform/pricing/",
    "https://developers.cloudflare.com/kv/platform/pricing/",
    "https://developers.cloudflare.com/durable-objects/platform/pricing/",
    "https://developers.cloudflare.com/queues/platform/pricing/",
  ],
  paidPlanPerMonth: 5,
  workers: { perMillionRequests: 0.3, perMillionCpuMs: 0.02, includedRequestsPerMonth: 10_000_000, includedCpuMsPerMonth: 30_000_000 },
  kv: { perMillionReads: 0.5, perMillionWrites: 5, perMillionLists: 5, perMillionDeletes: 5 },
  durableObjects: { perMillionRequests: 0.15, perMillionGbSeconds: 12.5, perMillionRowsWritten: 1, gbPerObject: 0.128 },
  /** An operation is 64 KB written, read or deleted: a delivered message is at least 3. */
  queues: { perMillionOperations: 0.4, operationsPerMessage: 3, bytesPerOperation: 64 * 1024 },
  /** Daily limits of the Workers Free plan (reset 00:00 UTC). */
  free: {
    workersRequestsPerDay: 100_000,
    cpuMsPerInvocation: 10,
    kvReadsPerDay: 100_000,
    kvWritesPerDay: 1_000,
    kvListsPerDay: 1_000,
    kvDeletesPerDay: 1_000,
    durableObjectRequestsPerDay: 100_000,
    queueOperationsPerDay: 10_000,
  },
} as const;
