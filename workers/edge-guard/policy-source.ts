import { siteKeys } from "../../core/kv-keys";
import { DEFAULT_SITE_ID } from "../../core/sites";
import { compilePolicy, type CompiledPolicy } from "../../core/policy/compile";
import defaultPolicy from "../../policies/default.json";
import { unsavedSitePolicy } from "../../core/policy/site-default";
import { DueRefresh } from "./due-refresh";
import type { Faults } from "./faults";

/** How often an isolate looks for a new policy in KV. */
const POLICY_REFRESH_MS = 30_000;

function compileBundled(site: string): CompiledPolicy {
  const result = compilePolicy(unsavedSitePolicy(site, defaultPolicy));
  // The bundled policy is checked by the test suite; failing here is a build defect, not an operator error.
  if (!result.ok) throw new Error(`policies/default.json is invalid:\n${result.error}`);
  return result.value;
}

/** Sites whose policy one isolate keeps compiled (a site's policy is read on its first request). */
const MAX_SITES = 256;

/**
 * The policy in force per site: each site's own KV document (`siteKeys(site).policy`), and for a site that has none
 * yet the bundled default (`unsavedSitePolicy`: a non-default site starts in observe mode), unaffected by another
 * site's policy.
 */
export class PolicySource {
  readonly #sites = new Map<string, SitePolicy>();

  constructor(private readonly faults: Faults) {}

  /**
   * The policy of `site` to use now. A site's first request in an isolate waits for its first read of KV (once);
   * after that a stale policy is refreshed in the background (via `waitUntil`) and requests never wait.
   */
  async current(kv: KVNamespace, now: number, waitUntil: (p: Promise<unknown>) => void, site = DEFAULT_SITE_ID): Promise<CompiledPolicy> {
    let source = this.#sites.get(site);
    if (source === undefined) {
      if (this.#sites.size >= MAX_SITES) this.#sites.clear(); // more sites than an isolate keeps: start over, counted nowhere
      source = new SitePolicy(this.faults, siteKeys(site).policy, site);
      this.#sites.set(site, source);
    }
    return source.current(kv, now, waitUntil);
  }
}

/** One site's policy: the bundled default until KV holds one; a KV policy that does not compile keeps the last good one. */
class SitePolicy {
  #current: CompiledPolicy;

  constructor(
    private readonly faults: Faults,
    private readonly key: string,
    private readonly site: string,
  ) {
    this.#current = compileBundled(site);
  }

  #currentText: string | null = null;
  readonly #due = new DueRefresh(POLICY_REFRESH_MS);

  async current(kv: KVNamespace, now: number, waitUntil: (p: Promise<unknown>) => void): Promise<CompiledPolicy> {
    await this.#due.run(now, waitUntil, () => this.#refresh(kv));
    return this.#current;
  }

  async #refresh(kv: KVNamespace): Promise<void> {
    let text: string | null;
    try {
      text = await kv.get(this.key);
    } catch (error) {
      this.faults.record("policy", error);
      return;
    }
    if (text === this.#currentText) return;
    if (text === null) {
      this.#current = compileBundled(this.site);
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
