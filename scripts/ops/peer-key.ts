/**
 * Prints a fresh Ed25519 key pair for peering, as JWKs:
 *   npx tsx scripts/ops/peer-key.ts            # both, as JSON
 *   npx tsx scripts/ops/peer-key.ts --private  # only the private JWK, e.g. | npx wrangler secret put PEER_SIGNING_JWK -c workers/admin/wrangler.toml
 * The public JWK (with kid = its RFC 7638 thumbprint) is what the admin Worker publishes at /.well-known/edge-guard/peer-key.
 */
import { fileURLToPath } from "node:url";
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from "jose";

/** A new peering key pair: the private JWK (the PEER_SIGNING_JWK secret) and the public one peers pin. */
export async function generatePeerKeyPair(): Promise<{ privateJwk: Record<string, string>; publicJwk: Record<string, string> }> {
  const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const pub = await exportJWK(publicKey);
  const priv = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(pub, "sha256");
  const base = { kty: String(pub.kty), crv: String(pub.crv), x: String(pub.x) };
  return { privateJwk: { ...base, d: String(priv.d) }, publicJwk: { ...base, kid, alg: "EdDSA", use: "sig" } };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const pair = await generatePeerKeyPair();
  console.log(process.argv.includes("--private") ? JSON.stringify(pair.privateJwk) : JSON.stringify(pair, null, 2));
}
