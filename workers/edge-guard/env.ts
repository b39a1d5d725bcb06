import type { DecisionReport } from "../../core/report";
import type { ClientLedger } from "../../durable-objects/client-ledger";

/** edge-guard's bindings (see the top-level wrangler.toml). */
export interface EdgeGuardEnv {
  readonly ORIGIN_URL: string;
  readonly MODE: string;
  readonly DEV_CLIENT_OVERRIDES: string;
  readonly BLOCKLIST: KVNamespace;
  readonly CLIENT_LEDGER: DurableObjectNamespace<ClientLedger>;
  readonly TARPIT: Fetcher;
  readonly REPORTS: Queue<DecisionReport>;
}
