import { app } from "./app";
import type { EdgeGuardEnv } from "./env";

// A Durable Object must be exported from the main module of the Worker that hosts it.
export { ClientLedger } from "../../durable-objects/client-ledger";
export { RangeIndex } from "../../durable-objects/range-index";

export default { fetch: app.fetch } satisfies ExportedHandler<EdgeGuardEnv>;
