/**
 * `npm run totp [-- BASE32SECRET]`: the current TOTP code (RFC 6238), for signing in to the local admin.
 * Without an argument it reads the dev secret of `npm run dev` from .state/secrets.json.
 */
import { createHmac } from "node:crypto";
import { join } from "node:path";
import { ROOT } from "../../dev/build";
import { devSecrets } from "../../dev/secrets";
import { base32Decode, totpCode } from "../../core/admin/totp";

const secret = process.argv[2] ?? (await devSecrets(process.env.EDGE_GUARD_STATE_DIR ?? join(ROOT, ".state"))).ADMIN_DEV_TOTP ?? "";
const key = base32Decode(secret);
if (key === null || key.length === 0) {
  console.error("not a base32 TOTP secret (give one, or start `npm run dev` once to create the dev secret)");
  process.exit(2);
}
const hmac = async (k: Uint8Array, message: Uint8Array) => new Uint8Array(createHmac("sha1", k).update(message).digest());
console.log(await totpCode(hmac, key, Date.now()));
