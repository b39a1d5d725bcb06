import { kvKeys } from "../../core/kv-keys";
import { compilePolicy, type CompiledPolicy } from "../../core/policy/compile";
import defaultPolicy from "../../policies/default.json";
import { DueRefresh } from "./due-refresh";
import type { Faults } from "./faults";

/** How often an isolate looks for a new policy in KV. */
const POLICY_REFRESH_MS = 30_000;

function compileBundled(): CompiledPolicy {
  const result = compilePolicy(defaultPolicy);
  // The bundled policy is checked by the test suite; failing here is a build defect, not an operator error.
  if (!result.ok) throw new Error(`policies/default.json is invalid:\n${result.error}`);
  return result.value;
}

/**
 * The policy in force: the bundled default until KV holds an operator's policy. A KV policy that does not
 * compile is logged and counted, and the last good one stays in force: a bad policy never takes traffic down.
 */
export class PolicySource {
  constructor(private readonly faults: Faults) {}

  #current: CompiledPolicy = compileBundled();
  #currentText: string | null = null;
  readonly #due = new DueRefresh(POLICY_REFRESH_MS);

  /**
   * The policy to use now. A fresh isolate waits for its first read of KV (once); after that a stale policy is
   * refreshed in the background (via `waitUntil`) and requests never wait.
   */
  async current(kv: KVNamespace, now: number, waitUntil: (p: Promise<unknown>) => void): Promise<CompiledPolicy> {
    await this.#due.run(now, waitUntil, () => this.#refresh(kv));
    return this.#current;
  }

  async #refresh(kv: KVNamespace): Promise<void> {
    let text: string | null;
    try {
      text = await kv.get(kvKeys.policy);
    } catch (error) {
      this.faults.record("policy", error);
      return;
    }
    if (text === this.#currentText) return;
    if (text === null) {
      this.#current = compileBundled();
      this.#currentText = null;
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      this.faults.record("policy", error);
      return;
    }
    const compiled = compilePolicy(json);
    if (!compiled.ok) {
      this.faults.record("policy", new Error(`policy in KV is invalid, keeping the last good one:\n${compiled.error}`));
      return;
    }
    this.#current = compiled.value;
    this.#currentText = text;
  }
}
