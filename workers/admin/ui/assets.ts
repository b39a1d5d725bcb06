import { APP_SCRIPT } from "./app.script";
import { APP_CSS } from "./app.style";
import { BLOCKLISTS_SCRIPT } from "./blocklists.script";
import { CHARTS_SCRIPT } from "./charts.script";
import { DECISION_ACTIONS_SCRIPT } from "./decision-actions.script";
import { DECISIONS_SCRIPT } from "./decisions.script";
import { JSON_PATH_SCRIPT } from "./json-path.script";
import { OVERVIEW_SCRIPT } from "./overview.script";
import { PEERS_SCRIPT } from "./peers.script";
import { POLICY_SCRIPT } from "./policy.script";

/** One static file of the dashboard. */
export interface UiAsset {
  readonly body: string;
  readonly contentType: string;
}

const JS = "text/javascript; charset=utf-8";

const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path d="M16 2 4 6.5v8.2c0 7.4 5.1 13.6 12 15.3 6.9-1.7 12-7.9 12-15.3V6.5z" fill="#2da44e"/><path d="m10.5 16.2 3.8 3.8 7.4-7.6" fill="none" stroke="#fff" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round"/></svg>`;

const ASSETS: ReadonlyMap<string, UiAsset> = new Map([
  ["app.css", { body: APP_CSS, contentType: "text/css; charset=utf-8" }],
  ["icon.svg", { body: ICON_SVG, contentType: "image/svg+xml" }],
  ["app.js", { body: APP_SCRIPT, contentType: JS }],
  ["charts.js", { body: CHARTS_SCRIPT, contentType: JS }],
  ["json-path.js", { body: JSON_PATH_SCRIPT, contentType: JS }],
  ["overview.js", { body: OVERVIEW_SCRIPT, contentType: JS }],
  ["decisions.js", { body: DECISIONS_SCRIPT, contentType: JS }],
  ["decision-actions.js", { body: DECISION_ACTIONS_SCRIPT, contentType: JS }],
  ["blocklists.js", { body: BLOCKLISTS_SCRIPT, contentType: JS }],
  ["policy.js", { body: POLICY_SCRIPT, contentType: JS }],
  ["peers.js", { body: PEERS_SCRIPT, contentType: JS }],
]);

/** FNV-1a over every asset: the assets' URL segment, so a deploy that changes one file changes every URL (modules import each other relatively). */
function versionOf(assets: ReadonlyMap<string, UiAsset>): string {
  let hash = 0x811c9dc5;
  for (const [name, asset] of assets) {
    for (const text of [name, asset.body]) {
      for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
    }
  }
  return hash.toString(36);
}

/** The current assets' version, part of every asset URL (`/ui/<version>/<name>`), so they can be cached for a year. */
export const UI_VERSION = versionOf(ASSETS);

/** The URL of an asset of the current version. */
export function uiUrl(name: string): string {
  return `/ui/${UI_VERSION}/${name}`;
}

/** The asset with this file name, if there is one. */
export function uiAsset(name: string): UiAsset | undefined {
  return ASSETS.get(name);
}
