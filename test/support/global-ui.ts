import { buildUi } from "../../dev/build-ui";

/** Vitest globalSetup: bundles the dashboard (dist/admin-ui/, dist/admin-ui.json) before the admin Worker is loaded. */
export default async function setup(): Promise<void> {
  await buildUi();
}
