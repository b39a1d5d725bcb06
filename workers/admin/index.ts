import { app } from "./app";
import type { AdminEnv } from "./env";

export default { fetch: app.fetch } satisfies ExportedHandler<AdminEnv>;
