import { kvKeys } from "../../core/kv-keys";
import { parseSitesDocument, SiteDirectory, type Site } from "../../core/sites";
import { DueRefresh } from "./due-refresh";
import type { Faults } from "./faults";

/** How often an isolate looks for a new sites document in KV (same pace as the policy). */
const SITES_REFRESH_MS = 30_000;

/**
 * Which site a request's host belongs to: the sites document admin writes to KV, cached per isolate and refreshed
 * like the policy. No document is a single-site deployment (every host is the default site's); a document that does
 * not parse is counted and the last good directory stays in force.
 */
export class SiteSource {
  #directory = SiteDirectory.single();
  #text: string | null = null;
  readonly #due = new DueRefresh(SITES_REFRESH_MS);

  constructor(private readonly faults: Faults) {}

  /**
   * The site of a request's host (`URL.host`); null when no site claims it and the operator chose to refuse such hosts
   * (`unknownHosts: "refuse"`). Awaits KV only on an isolate's first request.
   */
  async resolve(kv: KVNamespace, host: string, now: number, waitUntil: (p: Promise<unknown>) => void): Promise<Site | null> {
    await this.#due.run(now, waitUntil, () => this.#refresh(kv));
    if (this.#directory.unknownHosts === "refuse") return this.#directory.claimant(host);
    return this.#directory.resolve(host);
  }

  /** A site by id from the directory this isolate holds (loaded by `resolve`); undefined when unknown. */
  site(id: string): Site | undefined {
    return this.#directory.get(id);
  }

  async #refresh(kv: KVNamespace): Promise<void> {
    let text: string | null;
    try {
      text = await kv.get(kvKeys.sites);
    } catch (error) {
      this.faults.record("policy", error);
      return;
    }
    if (text === this.#text) return;
    const parsed = parseSitesDocument(text);
    if (!parsed.ok) {
      this.faults.record("policy", new Error(`${parsed.error}; keeping the last good sites`));
      return;
    }
    this.#directory = parsed.value;
    this.#text = text;
  }
}
