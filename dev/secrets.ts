import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** Secrets the Workers need, generated for local use only (production sets them with `wrangler secret put`). */
export interface DevSecrets {
  /** Signs challenge tickets and passes (edge-guard). */
  readonly TOKEN_SECRET: string;
  /** Signs admin sessions. */
  readonly SESSION_SECRET: string;
  /** Bearer token that authenticates as admin, honoured only with DEV_MODE=on. */
  readonly ADMIN_DEV_TOKEN: string;
  /** Protects /metrics. */
  readonly METRICS_TOKEN: string;
  /** Ed25519 private JWK for the signed peer feed (filled in by admin on first use, if absent). */
  readonly [name: string]: string;
}

const fresh = (): DevSecrets => ({
  TOKEN_SECRET: randomBytes(32).toString("base64url"),
  SESSION_SECRET: randomBytes(32).toString("base64url"),
  ADMIN_DEV_TOKEN: `egdev_${randomBytes(24).toString("base64url")}`,
  METRICS_TOKEN: randomBytes(24).toString("base64url"),
});

/**
 * The dev stack's secrets: kept in `<stateDir>/secrets.json` so sessions and passes survive restarts,
 * or fresh in memory when there is no state dir (tests).
 */
export async function devSecrets(stateDir: string | undefined): Promise<DevSecrets> {
  if (stateDir === undefined) return fresh();
  const file = join(stateDir, "secrets.json");
  try {
    return { ...fresh(), ...(JSON.parse(await readFile(file, "utf8")) as Record<string, string>) };
  } catch {
    const secrets = fresh();
    await mkdir(stateDir, { recursive: true });
    await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
    return secrets;
  }
}
