import { EDGE_MODE_VAR_KEY, EdgeModeVarSchema, type EdgeModeVar } from "../../../core/mode";
import { kv } from "./kv";

/** edge-guard's MODE var as its isolates last published it (KV), or null before any edge request. */
export async function readEdgeModeVar(ns: KVNamespace): Promise<EdgeModeVar | null> {
  const parsed = EdgeModeVarSchema.safeParse(await kv(() => ns.get(EDGE_MODE_VAR_KEY, "json")));
  return parsed.success ? parsed.data : null;
}
