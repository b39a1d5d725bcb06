import { parseTarpitConfig, type TarpitConfig } from "../../core/tarpit-config";
import type { TarpitEnv } from "./env";

// Parsed once per env object (one per isolate in production; tests pass their own).
const parsed = new WeakMap<TarpitEnv, TarpitConfig>();

/** The tarpit's settings. Fails loudly on the first request after a deploy with a bad var, instead of guessing. */
export function tarpitConfig(env: TarpitEnv): TarpitConfig {
  const cached = parsed.get(env);
  if (cached !== undefined) return cached;
  const config = parseTarpitConfig(env as unknown as Record<string, unknown>);
  if (!config.ok) throw new Error(`tarpit vars are invalid:\n${config.error}`);
  parsed.set(env, config.value);
  return config.value;
}
