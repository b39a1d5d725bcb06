import type { MiddlewareHandler } from "hono";
import { AppError } from "../../../adapters/http";
import { roleAtLeast, type Role, type SiteScope } from "../../../core/admin/roles";
import type { AdminBindings } from "../router";

/** Who is calling, however they proved it. */
export interface Principal {
  /** session: built-in login cookie; access: Cloudflare Access; token: API token; dev: ADMIN_DEV_TOKEN (DEV_MODE only). */
  readonly kind: "session" | "access" | "token" | "dev";
  /** User name, Access email, or token name. */
  readonly name: string;
  readonly role: Role;
  /** The sites it may see and act on (an admin: all). */
  readonly sites: SiteScope;
  /** The CSRF token a mutating request must carry; null when the credential is not sent by browsers on their own (Bearer). */
  readonly csrf: string | null;
}

/** The audit log's `actor` for a principal, e.g. `user:alice`, `token:ci-deploy`, `access:bob@example.com`. */
export function actorOf(p: Principal): string {
  if (p.kind === "dev") return "dev";
  return `${p.kind === "session" ? "user" : p.kind}:${p.name}`;
}

/** The calling principal, or 401 when nobody is signed in. */
export function principalOf(c: { get(key: "principal"): Principal | null }): Principal {
  const principal = c.get("principal");
  if (principal === null) throw new AppError(401, "unauthenticated", "sign in, or send an API token as `Authorization: Bearer …`");
  return principal;
}

/** Route middleware: 401 without a principal, 403 when its role is below `role`. Every route declares one. */
export function requireRole(role: Role): MiddlewareHandler<AdminBindings> {
  return async (c, next) => {
    const principal = principalOf(c);
    if (!roleAtLeast(principal.role, role)) throw new AppError(403, "forbidden", `this needs the ${role} role; you are ${principal.role}`);
    await next();
  };
}
