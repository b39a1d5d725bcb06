import { kvKeys } from "../../../core/kv-keys";
import { parseSitesDocument, SiteDirectory, type Site, type SitesDocument } from "../../../core/sites";
import { KvWriter } from "../../../adapters/kv";
import type { AdminEnv } from "../env";
import { audit } from "./audit";
import { db } from "./db";
import { kv } from "./kv";

/**
 * The sites of this deployment, as the edge sees them (KV `sites:directory`; none: the default site alone). A document
 * that does not parse is reported, not guessed at: the edge keeps its last good copy, and admin shows only the default.
 */
export async function readSites(ns: KVNamespace): Promise<SiteDirectory> {
  const parsed = parseSitesDocument(await kv(() => ns.get(kvKeys.sites)));
  if (parsed.ok) return parsed.value;
  console.error(JSON.stringify({ msg: "sites document in KV is invalid", error: parsed.error }));
  return SiteDirectory.single();
}

/** Writes the sites (already validated by SiteDirectory.of) for the edge, and the audit row. */
export async function writeSites(
  env: AdminEnv,
  actor: string,
  action: string,
  target: string,
  sites: readonly Site[],
  old: unknown,
): Promise<void> {
  // The strict-hosts setting (set by the deploy's site config) is kept as it is.
  const { unknownHosts } = await readSites(env.BLOCKLIST);
  const document: SitesDocument = { v: 1, sites: [...sites], ...(unknownHosts === "refuse" ? { unknownHosts } : {}) };
  await kv(() =>
    new KvWriter(env.BLOCKLIST, "admin").putDocument(kvKeys.sites, JSON.stringify(document), `sites by ${actor}`.slice(0, 200), {
      ttlSeconds: null,
      now: Date.now(),
    }),
  );
  await db(env, (d) => audit(d, { actor, action, target, old, new: sites.find((s) => `site:${s.id}` === target) ?? null }));
}
