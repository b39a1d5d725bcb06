import { buildAll } from "../../dev/build";

/**
 * Vitest globalSetup of the e2e project: builds the four Workers into dist/ once (as `npm run build` does). Every e2e
 * stack starts `prebuilt` from it, so no file pays for its own build and files running side by side never load dist/
 * while another one rewrites it.
 */
export default async function setup(): Promise<void> {
  await buildAll();
}
