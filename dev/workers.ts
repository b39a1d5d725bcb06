/** The four Workers of the product, in deploy order (callees before callers). */
export const WORKERS = [
  { name: "edge-guard-tarpit", dir: "tarpit", config: "workers/tarpit/wrangler.toml" },
  { name: "edge-guard-escalation", dir: "escalation", config: "workers/escalation/wrangler.toml" },
  { name: "edge-guard-admin", dir: "admin", config: "workers/admin/wrangler.toml" },
  { name: "edge-guard", dir: "edge-guard", config: "wrangler.toml" },
] as const;

export type WorkerName = (typeof WORKERS)[number]["name"];
