import type { DbEnv } from "../../adapters/db/client";

/** admin's bindings (see workers/admin/wrangler.toml). */
export interface AdminEnv extends DbEnv {
  readonly BLOCKLIST: KVNamespace;
}
