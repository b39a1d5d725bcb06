// Holds the hand-written env.ts to what `wrangler types` generated from wrangler.toml (worker-configuration.d.ts,
// refreshed by `npm run types:env`; scripts/codegen/env-types.ts says why the two are checked apart from the main program).
import type { EscalationEnv, EscalationSecrets } from "./env";

/** Every binding and var the config declares is in env.ts, with a compatible type. */
export const configBindings = (env: EscalationEnv): EscalationBindings => env;

/** env.ts adds nothing to the config but the secrets it names (a var typed by hand and missing from the config fails here). */
export const onlySecrets: [Exclude<keyof EscalationEnv, keyof EscalationBindings>] extends [keyof EscalationSecrets] ? true : never = true;
