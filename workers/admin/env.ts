import type { DbEnv } from "../../adapters/db/client";
import type { TarpitMetricsView } from "../../core/tarpit-metrics";

/** The tarpit Worker's RPC admin calls (service binding TARPIT). */
export interface TarpitRpc {
  metrics(minutes: number): Promise<TarpitMetricsView>;
}

/** admin's bindings (see workers/admin/wrangler.toml). Secrets are marked; everything is validated in config.ts. */
export interface AdminEnv extends DbEnv {
  /** Shared with edge-guard, tarpit and escalation: `ip:`, `cidr:`, `asn:`, `allow:` entries and `policy:active`. */
  readonly BLOCKLIST: KVNamespace;
  /** The tarpit, for its counters (held seconds, bytes). Absent: those figures are null. */
  readonly TARPIT?: TarpitRpc;
  /** Secret, ≥ 32 characters: signs session cookies and CSRF tokens. Unset: built-in login and Access are off. */
  readonly SESSION_SECRET?: string;
  /** Session lifetime in seconds (default 3600); a session past half its life is renewed on use. */
  readonly SESSION_TTL_SECONDS?: string;
  /** Cloudflare Access team domain (`<team>.cloudflareaccess.com`) and application AUD tag; both empty: Access off. */
  readonly ACCESS_TEAM_DOMAIN?: string;
  readonly ACCESS_AUD?: string;
  /** Roles for Access identities not in admin_users: `alice@example.com=admin,*@example.com=viewer`. */
  readonly ACCESS_ROLES?: string;
  /** Origins (comma-separated, e.g. `https://dash.example.com`) allowed to call the API cross-origin. */
  readonly CORS_ORIGINS?: string;
  /** Secret: the Bearer token Prometheus sends to /metrics. Unset: /metrics answers 404. */
  readonly METRICS_TOKEN?: string;
  /** `on` only in local dev (`npm run dev`): enables ADMIN_DEV_TOKEN and the ADMIN_DEV_USER. Deploy configs never set it. */
  readonly DEV_MODE?: string;
  /** Dev only (DEV_MODE=on): a Bearer token that authenticates as admin. */
  readonly ADMIN_DEV_TOKEN?: string;
  /** Dev only (DEV_MODE=on): a built-in login created on first use, `name:password:base32 TOTP secret`. */
  readonly ADMIN_DEV_USER?: string;
  /** The longest an API token may live, in days (default 365); older tokens stop working whatever their own end. */
  readonly API_TOKEN_MAX_DAYS?: string;
}
