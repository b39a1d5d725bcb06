import type { ReportMessage } from "../../core/report";
import type { ClientLedger } from "../../durable-objects/client-ledger";
import type { CrawlerAccount } from "../../durable-objects/crawler-account";
import type { FleetLedger } from "../../durable-objects/fleet-ledger";
import type { PassLedger } from "../../durable-objects/pass-ledger";
import type { RangeIndex } from "../../durable-objects/range-index";

/** What edge-guard reads besides wrangler.toml: secrets (`wrangler secret put`) and optional settings. */
export interface EdgeGuardSecrets {
  /** Longest a quiet client's allowed traffic waits for its summary, ms (default and cap 20 000; tests set 0). */
  readonly SUMMARY_MAX_WAIT_MS?: string;
  /** Signs challenge tickets and passes (a secret, ≥ 32 characters). Missing: challenges are off, fail open. */
  readonly TOKEN_SECRET?: string;
  /** Both set: Cloudflare Turnstile replaces the proof of work. */
  readonly TURNSTILE_SITE_KEY?: string;
  readonly TURNSTILE_SECRET?: string;
  /** Secret: the Bearer token a scraper sends to EDGE_METRICS_PATH. Unset: that path answers 404. */
  readonly METRICS_TOKEN?: string;
  /** Dev only, set by the dev stack for the fault suite, never in wrangler.toml: "on" enables workers/edge-guard/dev-faults.ts. */
  readonly DEV_FAULTS?: string;
}

/** edge-guard's bindings (the top-level wrangler.toml; env-check.ts holds this to `wrangler types`). */
export interface EdgeGuardEnv extends EdgeGuardSecrets {
  readonly ORIGIN_URL: string;
  readonly MODE: string;
  readonly DEV_CLIENT_OVERRIDES: string;
  /** Dev only, honoured only with DEV_CLIENT_OVERRIDES "on": loopback http key directories, e.g. `http://127.0.0.1:8788`. */
  readonly WEB_BOT_AUTH_DEV_DIRECTORIES: string;
  readonly BLOCKLIST: KVNamespace;
  readonly CLIENT_LEDGER: DurableObjectNamespace<ClientLedger>;
  readonly PASS_LEDGER: DurableObjectNamespace<PassLedger>;
  readonly FLEET_LEDGER: DurableObjectNamespace<FleetLedger>;
  /** Hosted here, written by admin, escalation and the tarpit; the edge only reads the snapshot it publishes to KV. */
  readonly RANGE_INDEX: DurableObjectNamespace<RangeIndex>;
  /** Pay per crawl: one account per paying crawler, charged once per signed request. */
  readonly CRAWLER_ACCOUNT: DurableObjectNamespace<CrawlerAccount>;
  readonly TARPIT: Fetcher;
  readonly REPORTS: Queue<ReportMessage>;
}
