import type { AdminEnv } from "../env";

/** The tarpit's totals over the last `minutes`, from its `metrics()` RPC; null when it cannot be reached. */
export async function tarpitTotals(env: AdminEnv, minutes: number): Promise<{ heldSeconds: number; bytes: number } | null> {
  try {
    const view = await env.TARPIT.metrics(minutes);
    return { heldSeconds: view.totals.heldSeconds, bytes: view.totals.bytes };
  } catch (error) {
    console.error(JSON.stringify({ msg: "tarpit metrics unavailable", error: String(error) }));
    return null;
  }
}
