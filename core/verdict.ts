import type { ReasonCode } from "./signals/registry";

/** What edge-guard does with a request. */
export type Action = "allow" | "challenge" | "tarpit" | "block";

/** Why a request scored as it did. Internal: logged and reported, never sent to the client. */
export interface Reason {
  /** Stable reason code: a signal of core/signals/registry.ts, or `rule:` and a policy rule's name. */
  readonly code: ReasonCode;
  /** Contribution to the score (positive: more bot-like). */
  readonly weight: number;
  /** Short operator-facing detail (matched token, count…). */
  readonly detail?: string;
}

export interface Verdict {
  readonly action: Action;
  readonly score: number;
  readonly reasons: readonly Reason[];
}
