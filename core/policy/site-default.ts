import { DEFAULT_SITE_ID } from "../sites";

/**
 * The policy a site runs before an operator saves one: the bundled default (policies/default.json). A site added to a
 * deployment starts in **observe** mode: it is decided and reported as usual (the dashboard shows what enforce would
 * have done) but nothing is refused, until an operator switches it to enforce (one action on the policy page) or
 * saves a policy of its own. The default site keeps the bundled mode, so a single-site deployment protects at once and
 * the deploy's smoke check can see a declared AI crawler kept out.
 */
export function unsavedSitePolicy(site: string, bundled: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  return site === DEFAULT_SITE_ID ? bundled : { ...bundled, mode: "observe" };
}
