// Bootstraps a built-in admin login for a deploy (the first admin cannot be made through the API).
// Usage: ADMIN_PASSWORD='…' npx tsx scripts/ops/admin-user.ts <name> [viewer|operator|admin] [email]
// Prints the SQL to run against the deploy's Postgres (psql "$DATABASE_URL" or the Neon console) and the
// otpauth:// URI to scan into an authenticator app. Nothing is sent anywhere.
import { RoleSchema } from "../../core/admin/roles";
import { otpauthUri } from "../../core/admin/totp";
import { hashPassword, newTotpSecret, randomToken } from "../../workers/admin/auth/crypto";

const [name = "", roleText = "admin", email] = process.argv.slice(2);
if (!/^[a-z0-9._-]{1,64}$/.test(name)) {
  console.error("usage: ADMIN_PASSWORD=… npx tsx scripts/ops/admin-user.ts <name: a-z 0-9 . _ -> [viewer|operator|admin] [email]");
  process.exit(2);
}
const role = RoleSchema.parse(roleText);
const generated = process.env.ADMIN_PASSWORD === undefined;
const password = process.env.ADMIN_PASSWORD ?? randomToken(18);
if (password.length < 12) throw new Error("ADMIN_PASSWORD must be at least 12 characters");
if (email !== undefined && !/^[^\s'@]+@[^\s'@]+$/.test(email)) throw new Error("not an email address");
const totpSecret = newTotpSecret();
const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
const hash = await hashPassword(password);
console.log(`-- run against the deploy's database:
INSERT INTO admin_users (name, role, email, password_hash, totp_secret)
VALUES (${quote(name)}, ${quote(role)}, ${email === undefined ? "NULL" : quote(email.toLowerCase())}, ${quote(hash)}, ${quote(totpSecret)})
ON CONFLICT (name) DO UPDATE SET role = EXCLUDED.role, password_hash = EXCLUDED.password_hash, totp_secret = EXCLUDED.totp_secret,
  totp_last_step = NULL, disabled = false, sessions_valid_after = now();
-- authenticator app: ${otpauthUri("edge-guard", name, totpSecret)}${generated ? `\n-- generated password (shown once): ${password}` : ""}`);
