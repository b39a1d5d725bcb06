import { OpenAPIHono, type z } from "@hono/zod-openapi";
import type { JWTVerifyGetKey } from "jose";
import { AppError } from "../../adapters/http";
import type { Principal } from "./auth/principal";
import type { AccessConfig, AdminConfig } from "./config";
import type { AdminEnv } from "./env";
import type { AdminState } from "./state";

/** What admin takes from outside that tests replace: the Access key set, the clock and waiting. */
export interface AdminDeps {
  /** The key set Access tokens are verified against (production: the team's remote JWKS). */
  readonly accessKeys: (access: AccessConfig) => JWTVerifyGetKey;
  readonly now: () => number;
  /** Waits (the account-wide login delay); tests record instead of waiting. Default: a timer. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Per-request values middleware sets for the handlers. */
export interface AdminVariables {
  config: AdminConfig;
  deps: AdminDeps;
  /** The isolate's state (state.ts), the one the Worker entry made. */
  state: AdminState;
  /** Who is calling; null for an anonymous request (only public routes let it through). */
  principal: Principal | null;
  /** The site a site-scoped route is about (`?site=`, checked by siteScope); the default site elsewhere. */
  site: string;
}

export interface AdminBindings {
  Bindings: AdminEnv;
  Variables: AdminVariables;
}

/** One readable line per zod issue, naming the field. */
export function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.join(".") : "(body)"}: ${i.message}`).join("; ");
}

/** A router of admin routes: invalid input becomes the uniform 400 `invalid_request` naming the field. */
export function adminRouter(): OpenAPIHono<AdminBindings> {
  return new OpenAPIHono<AdminBindings>({
    defaultHook: (result) => {
      if (!result.success) throw new AppError(400, "invalid_request", issuesText(result.error));
    },
  });
}
