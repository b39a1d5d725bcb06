import { valueFromMetadata } from "../../../adapters/kv";
import { FAULT_STATS_PREFIX, sumFaultStats } from "../../../core/fault-stats";
import { kv, parseJson } from "./kv";

/** Most isolate entries read (one list page each 1000). */
const MAX_ISOLATES = 5_000;

/** edge-guard's fail-open faults by kind, summed over the isolates that published totals in the last day. */
export async function faultTotals(ns: KVNamespace): Promise<Record<string, number>> {
  return kv(async () => {
    const values: unknown[] = [];
    let cursor: string | undefined;
    do {
      const page = await ns.list<string>({ prefix: FAULT_STATS_PREFIX, cursor, limit: 1000 });
      for (const key of page.keys) values.push(parseJson(valueFromMetadata(key.metadata) ?? (await ns.get(key.name))));
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor !== undefined && values.length < MAX_ISOLATES);
    return sumFaultStats(values);
  });
}
