// Written by dev/build-ui.ts (run by `npm run build`, `npm run dev`, the tests and deploy); not in git.
import manifest from "../../../dist/admin-ui.json";

/** A file of the dashboard's bundle: a page's module, the stylesheet or the icon. */
export type UiAsset = keyof typeof manifest;

/**
 * The public path of a dashboard file, with its content hash in the name (`/ui/overview-2HPXLFC4.js`). Workers Static
 * Assets serve these without running the Worker, cached for a year (dist/admin-ui/_headers).
 */
export function uiUrl(name: UiAsset): string {
  return manifest[name];
}
