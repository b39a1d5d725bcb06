import { BlocklistStore } from "../../adapters/blocklist-store";
import type { HopPolicy } from "../../core/tarpit-config";
import { hopOutBlocks, hopOutReport, type HopCount } from "../../core/tarpit-hops";
import type { TarpitClient } from "../../core/tarpit-headers";
import type { TarpitEnv } from "./env";
import type { TarpitState } from "./state";

/**
 * Puts a client that hopped past the limit on the KV blocklist (its IP, and its prefix if the policy says so)
 * and tells escalation. Runs off the response path; each write that fails is counted and logged, not retried.
 */
export async function hopOut(
  state: TarpitState,
  env: TarpitEnv,
  request: Request,
  client: TarpitClient,
  hops: HopCount,
  policy: HopPolicy,
  now: number,
): Promise<void> {
  const writes = hopOutBlocks(client.ip, hops.inWindow, policy, client.edgeScore, now, client.site);
  const report = hopOutReport(
    {
      id: crypto.randomUUID(),
      at: now,
      ip: client.ip,
      method: request.method,
      path: new URL(request.url).pathname,
      headers: Object.fromEntries(request.headers),
      edgeScore: client.edgeScore,
      site: client.site,
    },
    hops,
    policy,
  );
  // The IP to KV, a prefix to the RangeIndex (one writer for networks): each with its metadata.
  const store = new BlocklistStore(env, "tarpit");
  const results = await Promise.allSettled([...writes.map((w) => store.put([w], now)), env.REPORTS.send(report)]);
  const failed = results.filter((r) => r.status === "rejected");
  state.meter.count({ blocks: 1, faults: failed.length });
  console.log(
    JSON.stringify({ msg: "tarpit hop-out", ip: client.ip, hops: hops.inWindow, keys: writes.map((w) => w.key), failed: failed.length }),
  );
}
