import type { Context, MiddlewareHandler } from "hono";
import type { Role } from "../../../core/admin/roles";
import type { PeersEnv } from "./env";
import type { PeersState } from "./state";

/** The Hono env the peer routes need: admin's env satisfies it (its Variables ride along). */
export interface PeersHonoEnv {
  Bindings: PeersEnv;
}

/** What the admin app injects: its state, its role check, who is calling (for the audit log), the clock and fetch. */
export interface PeersDeps<E extends PeersHonoEnv> {
  /** The isolate's peering state (admin's `state.peers`): signing keys, built feeds, push counts, safety loader. */
  readonly state: PeersState;
  /** 401 without a principal, 403 below `role` (admin's `requireRole`). Every operator route runs it first. */
  readonly requireRole: (role: Role) => MiddlewareHandler<E>;
  /** The audit actor of the caller, e.g. `user:alice`; default `unknown`. */
  readonly actor?: (c: Context<E>) => string;
  readonly now?: () => number;
  /** OpenAPI `security` of operator routes (admin's `SECURITY`), so the document lists how to authenticate. */
  readonly security?: Record<string, string[]>[];
  /** Used for feed and key fetches of "sync now" (tests replace it). */
  readonly fetch?: typeof fetch;
}
