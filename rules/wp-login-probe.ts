import { defineRule } from "../core/rules/plugin";

// An example plugin rule. This site runs no WordPress, so nobody with a reason to be here asks for its login page,
// XML-RPC endpoint or admin: scanners and scrapers probing for a CMS do. Delete this file if your site is WordPress.
const WORDPRESS_PATHS = /^\/(?:wp-login\.php|xmlrpc\.php|wp-admin(?:\/|$)|wp-config\.php)/i;

export default defineRule({
  name: "wp-login-probe",
  // On its own enough for the challenge band of the moderate (default) and aggressive presets; a policy may change it.
  weight: 40,
  description: "Asked for a WordPress login, admin or XML-RPC path on a site that runs no WordPress",
  evaluate: (facts) => {
    const match = WORDPRESS_PATHS.exec(facts.path);
    return match === null ? null : [{ detail: match[0] }];
  },
});
