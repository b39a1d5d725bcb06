// The parts of the admin API's answers the dashboard reads, named from api.generated.ts: that file is generated from
// the OpenAPI document the admin Worker serves (npm run types:api), so these names follow the zod route schemas and
// cannot drift from them. Server code cannot be imported here (it is typed for workerd, this for the DOM).
import type { ReportedReason } from "../../../../core/report";
import type { components, paths } from "./api.generated";

type Schemas = components["schemas"];

/** The JSON body a route answers with `status` (the success status by default). */
type Answer<P extends keyof paths, M extends keyof paths[P], S extends number = 200> = paths[P][M] extends {
  readonly responses: { readonly [K in S]: { content: { readonly "application/json": infer Body } } };
}
  ? Body
  : never;

/** GET /api/decisions: one decision. Its `reasons` are stored JSON: read them through reasonsOf (app.ts). */
export type Decision = Schemas["Decision"];
/** GET /api/signals: one signal the edge computes, with its default weight and description. */
export type Signal = Schemas["Signal"];
/** One reason of a decision, as the edge reported it (core/report.ts ReasonSchema; the API types it `unknown`). */
export type Reason = ReportedReason;
export type DecisionPage = Answer<"/api/decisions", "get">;

/** GET /api/blocklist: one entry. */
export type BlocklistEntry = Schemas["BlocklistEntry"];
/** GET /api/allowlist: one entry. */
export type AllowEntry = Schemas["AllowEntry"];
export type ListEntry = BlocklistEntry | AllowEntry;
export type ListPage = Answer<"/api/blocklist", "get"> | Answer<"/api/allowlist", "get">;
/** POST /api/blocklist/import. */
export type ImportResult = Schemas["BlocklistImportResult"];

/** GET /api/overview. */
export type Overview = Schemas["Overview"];
/** A top-N row of the overview. */
export type TopItem = Overview["topBlockedIps"][number];

/** GET /api/policy. */
export type PolicyView = Schemas["PolicyView"];
/** A compiled rule, from the policy or its preset. */
export type CompiledRule = NonNullable<PolicyView["compiled"]>["rules"][number];
/** GET /api/policy `mode`: the mode the edge applies and which setting decided (edge-guard's MODE var wins over the policy). */
export type ModeInForce = PolicyView["mode"];
/** GET /api/policy/recommendations: suggested thresholds and weights from labelled traffic. */
export type Recommendations = Answer<"/api/policy/recommendations", "get">;
/** POST /api/policy/validate. */
export type Validation = Answer<"/api/policy/validate", "post">;
/** PUT /api/policy refusing a policy (422). */
export type InvalidPolicy = Schemas["InvalidPolicy"];
/**
 * A policy problem at a field path, as the API reports it; `at` (a character offset of the text) is the dashboard's
 * own, for JSON the browser could not parse before sending it.
 */
export type PolicyIssue = Validation["issues"][number] & { readonly at?: number };
/** POST /api/policy/dry-run. */
export type DryRun = Schemas["PolicyDryRun"];
/** GET /api/policy/history. */
export type PolicyHistory = Answer<"/api/policy/history", "get">;

/** GET /api/peers: this deployment's own feed. */
export type PeerSelf = Schemas["PeerSelf"];
/** GET /api/peers: one configured peer. */
export type Peer = Schemas["Peer"];
export type Peers = Answer<"/api/peers", "get">;

/** GET /api/accounts: one crawler account. */
export type CrawlerAccount = Schemas["CrawlerAccount"];
export type CrawlerAccounts = Answer<"/api/accounts", "get">;
/** GET /api/ledger: a page of ledger rows with totals over the filter. */
export type LedgerPage = Answer<"/api/ledger", "get">;
export type LedgerTotals = Schemas["LedgerTotals"];
/** GET /api/ledger/revenue. */
export type Revenue = Answer<"/api/ledger/revenue", "get">;
/** POST /api/ledger/price-dry-run. */
export type PriceDryRun = Schemas["PriceDryRun"];
