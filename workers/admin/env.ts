import type { DbEnv } from "../../adapters/db/client";
import type { CrawlerAccount } from "../../durable-objects/crawler-account";
import type { RangeIndex } from "../../durable-objects/range-index";
import type Tarpit from "../tarpit/index";

/** What admin reads besides its wrangler.toml: secrets (`wrangler secret put`) and dev-only settings. */
export interface AdminSecrets {
  /** A Neon (or any Postgres) connection string. */
  readonly DATABASE_URL?: string;
  /** Secret, ≥ 32 characters: signs session cookies and CSRF tokens. Unset: built-in login and Access are off. */
  readonly SESSION_SECRET?: string;
  /** Secret: the Bearer token Prometheus sends to /metrics. Unset: /metrics answers 404. */
  readonly METRICS_TOKEN?: string;
  /** Dev only (DEV_MODE=on): a Bearer token that authenticates as admin. */
  readonly ADMIN_DEV_TOKEN?: string;
  /** Dev only (DEV_MODE=on): a built-in login created on first use, `name:password:base32 TOTP secret`. */
  readonly ADMIN_DEV_USER?: string;
  /** The longest an API token may live, in days (default 365); older tokens stop working whatever their own end. */
  readonly API_TOKEN_MAX_DAYS?: string;
  /** Secret: Stripe's secret API key (`sk_live_…`). Set with STRIPE_WEBHOOK_SECRET: top-ups through Stripe. Never logged. */
  readonly STRIPE_SECRET_KEY?: string;
  /** Secret: the signing secret of the Stripe webhook endpoint (`whsec_…`) for POST /api/payments/stripe/webhook. */
  readonly STRIPE_WEBHOOK_SECRET?: string;
  /** Tests and local dev only: a stand-in for https://api.stripe.com on loopback. */
  readonly STRIPE_API_BASE?: string;
  /** A generic JSON payment gateway (all three set): its API base URL, Bearer token (secret) and webhook secret (secret). */
  readonly PAYMENTS_HTTP_BASE?: string;
  readonly PAYMENTS_HTTP_TOKEN?: string;
  readonly PAYMENTS_HTTP_WEBHOOK_SECRET?: string;
}

/**
 * admin's bindings (workers/admin/wrangler.toml; env-check.ts holds this to `wrangler types`). Everything is
 * validated in config.ts.
 */
export interface AdminEnv extends DbEnv, AdminSecrets {
  /** Shared with edge-guard, tarpit and escalation: `ip:` entries, `policy:active`, snapshots (keys: core/kv-keys.ts). */
  readonly BLOCKLIST: KVNamespace;
  /** edge-guard's RangeIndex: the single writer of `cidr:`, `asn:` and `allow:` entries. */
  readonly RANGE_INDEX: DurableObjectNamespace<RangeIndex>;
  /** edge-guard's CrawlerAccount: pay-per-crawl terms and balances the edge enforces (admin sets them, DO first). */
  readonly CRAWLER_ACCOUNT: DurableObjectNamespace<CrawlerAccount>;
  /** The tarpit, for its counters (held seconds, bytes), typed from the tarpit's own entrypoint. */
  readonly TARPIT: Service<Tarpit>;
  /** Session lifetime in seconds (default 3600); a session past half its life is renewed on use. */
  readonly SESSION_TTL_SECONDS: string;
  /** Cloudflare Access team domain (`<team>.cloudflareaccess.com`) and application AUD tag; both empty: Access off. */
  readonly ACCESS_TEAM_DOMAIN: string;
  readonly ACCESS_AUD: string;
  /** Roles for Access identities not in admin_users: `alice@example.com=admin,*@example.com=viewer`. */
  readonly ACCESS_ROLES: string;
  /** Origins (comma-separated, e.g. `https://dash.example.com`) allowed to call the API cross-origin. */
  readonly CORS_ORIGINS: string;
  /** `on` only in local dev (`npm run dev`): enables ADMIN_DEV_TOKEN and the ADMIN_DEV_USER. Deploy configs never set it. */
  readonly DEV_MODE: string;
}
