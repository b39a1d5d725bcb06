import { KvWriter } from "../../adapters/kv";
import { kvKeys } from "../../core/kv-keys";
import { EdgeModeVarSchema } from "../../core/mode";

/**
 * Tells admin which MODE var this deployment runs with (KV `stats:edge-mode-var`), so the policy page can show
 * whether the var or the policy puts the mode in force. Once per isolate (a var changes only with a deploy, which
 * starts new isolates), off the response path; it writes only when the stored value differs.
 */
export class ModeVarPublisher {
  #done = false;

  /** The check-and-write for `waitUntil` on this isolate's first request, or null once done. Never throws. */
  publish(kv: KVNamespace, modeVar: string, now: number): Promise<void> | null {
    if (this.#done) return null;
    this.#done = true;
    const run = async () => {
      const stored = EdgeModeVarSchema.safeParse(await kv.get(kvKeys.edgeModeVar, "json"));
      if (stored.success && stored.data.modeVar === modeVar) return;
      await new KvWriter(kv, "edge-guard").putDocument(
        kvKeys.edgeModeVar,
        JSON.stringify({ modeVar, at: now }),
        "the MODE var this deployment runs with",
        { ttlSeconds: null, now },
      );
    };
    return run().catch((error: unknown) => {
      console.error(JSON.stringify({ msg: "MODE var not published", error: String(error) }));
    });
  }
}
