// The parts of the admin API's answers the dashboard reads (the full shapes: GET /api/openapi.json, built from the
// zod schemas in workers/admin/routes/). Server code cannot be imported here: it is typed for workerd, this for the DOM.

/** One reason of a decision, as the edge reported it. */
export interface Reason {
  readonly code: string;
  readonly weight?: number;
  readonly detail?: string;
}

/** GET /api/decisions: one decision. */
export interface Decision {
  readonly id: number;
  readonly reportId: string;
  readonly at: string;
  readonly source: string;
  readonly ip: string;
  readonly method: string;
  readonly path: string;
  readonly userAgent: string;
  readonly edgeAction: string;
  readonly edgeScore: number;
  /** Reasons as stored (older rows may hold something else: read through reasonsOf). */
  readonly reasons: unknown;
  readonly signals: readonly string[] | null;
  readonly cf: unknown;
  readonly score: number | null;
  readonly modelScore: number | null;
  readonly modelVersion: string | null;
  readonly verdict: string;
  readonly blocked: boolean;
  readonly label: { readonly kind: string; readonly value: string } | null;
}

/** A cursor page of a list. */
export interface Page {
  readonly nextCursor: string | null;
}

export interface DecisionPage extends Page {
  readonly decisions: readonly Decision[];
}

/** GET /api/blocklist and /api/allowlist: one entry. */
export interface ListEntry {
  readonly target: string;
  readonly action?: string;
  readonly at: string;
  readonly by?: string | null;
  readonly expiresAt: string | null;
  readonly reason: string;
  readonly score?: number | null;
  readonly source?: string;
}

export interface ListPage extends Page {
  readonly entries: readonly ListEntry[];
}

/** POST /api/blocklist/import. */
export interface ImportResult {
  readonly targets: readonly unknown[];
  readonly added: number;
  readonly refused: ReadonlyArray<{ readonly line: number; readonly text: string; readonly error: string }>;
}

/** A top-N row of the overview. */
export interface TopItem {
  readonly key: string;
  readonly count: number;
  readonly label?: string | null;
}

/** GET /api/overview. */
export interface Overview {
  readonly window: { readonly since: string; readonly until: string; readonly bucketSeconds: number };
  /** One row per bucket with decisions: `t`, then a count per edge action. */
  readonly requestsOverTime: ReadonlyArray<{ readonly t: string; readonly [action: string]: number | string }>;
  readonly challenge: { readonly passRate: number | null; readonly issued: number; readonly passed: number };
  readonly tarpit: { readonly heldSeconds: number | null; readonly bytes: number | null };
  readonly faults: { readonly failOpen: number | null; readonly byKind?: Readonly<Record<string, number>> };
  readonly modelVersion: string | null;
  readonly queueLagSeconds: number | null;
  readonly topBlockedIps: readonly TopItem[];
  readonly topBlockedPrefixes: readonly TopItem[];
  readonly topBlockedAsns: readonly TopItem[];
  readonly topReasons: readonly TopItem[];
}

/** A compiled rule, from the policy or its preset. */
export interface CompiledRule {
  readonly name: string;
  readonly action: string;
  readonly weight?: number;
  readonly origin: string;
}

/** GET /api/policy. */
/** GET /api/policy `mode`: the mode the edge applies and which setting decided (edge-guard's MODE var wins over the policy). */
export interface ModeInForce {
  readonly inForce: "enforce" | "observe" | null;
  readonly source: "var" | "policy" | "unknown";
  readonly modeVar: string | null;
  readonly policyMode: "enforce" | "observe" | null;
  readonly reason: string;
  readonly reportedAt: number | null;
}

export interface PolicyView {
  readonly policy: unknown;
  readonly source: string;
  readonly mode: ModeInForce;
  readonly compiled: {
    readonly mode: string;
    readonly preset: string;
    readonly thresholds: { readonly challenge: number; readonly tarpit: number; readonly block: number };
    readonly rules: readonly CompiledRule[];
  } | null;
}

/** A policy problem, at a field path (or a character offset of the text). */
export interface PolicyIssue {
  readonly path: string;
  readonly message: string;
  readonly at?: number;
}

/** POST /api/policy/validate. */
export interface Validation {
  readonly ok: boolean;
  readonly issues?: readonly PolicyIssue[];
}

/** POST /api/policy/dry-run. */
export interface DryRun {
  readonly evaluated: number;
  readonly changed: number;
  readonly before: Readonly<Record<string, number>>;
  readonly after: Readonly<Record<string, number>>;
  readonly transitions: Readonly<Record<string, number>>;
  readonly samples: ReadonlyArray<{
    readonly at: string;
    readonly ip: string;
    readonly path: string;
    readonly before: string;
    readonly after: string;
    readonly scoreBefore: number;
    readonly scoreAfter: number;
    readonly decidedByAfter: string | null;
  }>;
}

/** GET /api/policy/history. */
export interface PolicyHistory {
  readonly versions: ReadonlyArray<{ readonly at: string; readonly actor: string; readonly note: string | null; readonly policy: unknown }>;
}

/** GET /api/peers: this deployment's own feed. */
export interface PeerSelf {
  readonly publishing: boolean;
  readonly kid: string | null;
  readonly issuer: string;
  readonly feedUrl: string;
  readonly keyUrl: string;
  readonly pushUrl: string;
}

/** GET /api/peers: one configured peer. */
export interface Peer {
  readonly name: string;
  readonly kind: string;
  readonly trust: string;
  readonly action: string;
  readonly enabled: boolean;
  readonly feedUrl: string | null;
  readonly activeEntries: number;
  readonly lastSync: { readonly at: string; readonly status: string; readonly error: string | null } | null;
  readonly totals: { readonly received: number; readonly applied: number; readonly rejected: Readonly<Record<string, number>> };
}

export interface Peers {
  readonly self: PeerSelf;
  readonly peers: readonly Peer[];
}
