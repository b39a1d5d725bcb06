import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generatePeerKeyPair } from "../scripts/ops/peer-key";

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
  /** The dev admin login (honoured only with DEV_MODE=on): password and TOTP secret (base32). */
  readonly ADMIN_DEV_PASSWORD: string;
  readonly ADMIN_DEV_TOTP: string;
  /** Ed25519 private JWK (JSON) that signs the peer feed. */
  readonly PEER_SIGNING_JWK: string;
}

const fresh = () => ({
  TOKEN_SECRET: randomBytes(32).toString("base64url"),
  SESSION_SECRET: randomBytes(32).toString("base64url"),
  ADMIN_DEV_TOKEN: `egdev_${randomBytes(24).toString("base64url")}`,
  METRICS_TOKEN: randomBytes(24).toString("base64url"),
  ADMIN_DEV_PASSWORD: randomBytes(9).toString("base64url"),
  ADMIN_DEV_TOTP: base32(randomBytes(20)),
});

/** A fresh Ed25519 private JWK for the signed peer feed. */
async function peerSigningJwk(): Promise<string> {
  return JSON.stringify((await generatePeerKeyPair()).privateJwk);
}

/** RFC 4648 base32 without padding (authenticator apps take it). */
function base32(bytes: Uint8Array): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/**
 * The dev stack's secrets: kept in `<stateDir>/secrets.json` so sessions and passes survive restarts,
 * or fresh in memory when there is no state dir (tests).
 */
export async function devSecrets(stateDir: string | undefined): Promise<DevSecrets> {
  if (stateDir === undefined) return { ...fresh(), PEER_SIGNING_JWK: await peerSigningJwk() };
  const file = join(stateDir, "secrets.json");
  let saved: Record<string, string> = {};
  try {
    saved = JSON.parse(await readFile(file, "utf8")) as Record<string, string>;
  } catch {
    // first start: nothing saved yet
  }
  const secrets: DevSecrets = { ...fresh(), PEER_SIGNING_JWK: await peerSigningJwk(), ...saved };
  if (Object.keys(secrets).some((k) => !(k in saved))) {
    await mkdir(stateDir, { recursive: true });
    await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets;
}
