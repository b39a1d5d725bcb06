import { eq } from "drizzle-orm";
import type { Conn } from "../store/db";
import { adminUsers } from "../../../adapters/db/schema";
import { RoleSchema, storedScope, type Role, type SiteScope } from "../../../core/admin/roles";
import type { AdminEnv } from "../env";
import type { AdminState } from "../state";
import { db } from "../store/db";
import { hashPassword } from "./crypto";

export type AdminUserRow = typeof adminUsers.$inferSelect;

/** A user as the API shows it: never the hash or the TOTP secret. */
export interface UserView {
  readonly name: string;
  readonly email: string | null;
  readonly role: Role;
  /** The sites the user may see and act on (an admin: all, whatever is stored). */
  readonly sites: SiteScope;
  readonly disabled: boolean;
  readonly hasPassword: boolean;
  readonly hasTotp: boolean;
  readonly createdAt: string;
}

/** The public view of a user row. */
export function userView(u: AdminUserRow): UserView {
  return {
    name: u.name,
    email: u.email,
    role: RoleSchema.catch("viewer").parse(u.role),
    sites: storedScope(u.sites),
    disabled: u.disabled,
    hasPassword: u.passwordHash !== null,
    hasTotp: u.totpSecret !== null,
    createdAt: u.createdAt.toISOString(),
  };
}

/** The user named `name`, or null. */
export async function findUser(d: Conn, name: string): Promise<AdminUserRow | null> {
  const [row] = await d.select().from(adminUsers).where(eq(adminUsers.name, name)).limit(1);
  return row ?? null;
}

/** The user whose email an Access identity carries, or null. */
export async function findUserByEmail(d: Conn, email: string): Promise<AdminUserRow | null> {
  const [row] = await d.select().from(adminUsers).where(eq(adminUsers.email, email)).limit(1);
  return row ?? null;
}

/**
 * Dev only: makes sure the dev login exists as an admin with this password and TOTP secret. Refuses to run
 * unless DEV_MODE is `on`, which deploy configs never set, so dev credentials never exist in a deploy.
 */
export async function ensureDevUser(
  env: AdminEnv,
  user: { readonly name: string; readonly password: string; readonly totpSecret: string },
  state: Pick<AdminState, "devUserEnsured">,
): Promise<void> {
  if (env.DEV_MODE !== "on") throw new Error("ensureDevUser needs DEV_MODE=on");
  if (state.devUserEnsured) return;
  const passwordHash = await hashPassword(user.password);
  await db(env, (d) =>
    d
      .insert(adminUsers)
      .values({ name: user.name, role: "admin", passwordHash, totpSecret: user.totpSecret })
      .onConflictDoUpdate({ target: adminUsers.name, set: { role: "admin", passwordHash, totpSecret: user.totpSecret, disabled: false } }),
  );
  state.devUserEnsured = true;
}
