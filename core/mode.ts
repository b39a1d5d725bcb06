import { kvKeys } from "./kv-keys";
import { z } from "zod";

/** The two modes: observe decides and reports everything and enforces nothing; enforce applies the verdicts. */
export type Mode = "enforce" | "observe";

/** Which setting put the mode in force: edge-guard's MODE var (deploy time) or the policy (admin, run time). */
export type ModeSource = "var" | "policy";

/** The mode in force and why, for the edge to act on and admin to show. */
export interface ModeInForce {
  readonly mode: Mode;
  readonly source: ModeSource;
  /** For operators: which setting decided, and what the other one says. */
  readonly reason: string;
}

/**
 * Precedence, in one place: an explicit MODE var ("observe" or "enforce") wins over the policy; an empty MODE (the
 * committed default) lets the policy decide. Any other value is a deploy mistake and also lets the policy decide.
 */
export function modeInForce(modeVar: string, policyMode: Mode): ModeInForce {
  const v = modeVar.trim();
  if (v === "observe" || v === "enforce") {
    return {
      mode: v,
      source: "var",
      reason:
        v === policyMode
          ? `MODE = "${v}" in edge-guard's wrangler.toml (the policy says the same)`
          : `MODE = "${v}" in edge-guard's wrangler.toml overrides the policy's "${policyMode}"; empty MODE and redeploy to let the policy decide`,
    };
  }
  const why =
    v === ""
      ? "MODE in edge-guard's wrangler.toml is empty"
      : `MODE = "${v}" in edge-guard's wrangler.toml is neither "observe" nor "enforce", so it is ignored`;
  return { mode: policyMode, source: "policy", reason: `the policy's mode: ${why}` };
}

/** KV key where edge-guard publishes its MODE var, so admin can show which setting is in force. */
export const EDGE_MODE_VAR_KEY = kvKeys.edgeModeVar;

/** What edge-guard publishes under EDGE_MODE_VAR_KEY: its MODE var as deployed, and since when (epoch ms). */
export const EdgeModeVarSchema = z.object({ modeVar: z.string(), at: z.number().int() });
export type EdgeModeVar = z.infer<typeof EdgeModeVarSchema>;

/** What admin shows about the mode: the one in force, which setting decided, and both settings. */
export interface ModeView {
  /** null when it cannot be known: the stored policy does not compile and no MODE var overrides it. */
  readonly inForce: Mode | null;
  /** "unknown": no edge isolate has reported its MODE var yet, so the policy's mode is shown with that caveat. */
  readonly source: ModeSource | "unknown";
  /** edge-guard's MODE var as last reported (null until reported). */
  readonly modeVar: string | null;
  readonly policyMode: Mode | null;
  readonly reason: string;
  /** When the edge first reported this MODE var (epoch ms), or null. */
  readonly reportedAt: number | null;
}

/** Admin's view of the precedence, from the edge's report (null: none yet) and the stored policy's mode (null: it does not compile). */
export function modeView(edge: EdgeModeVar | null, policyMode: Mode | null): ModeView {
  const reportedAt = edge?.at ?? null;
  if (edge === null) {
    return {
      inForce: policyMode,
      source: "unknown",
      modeVar: null,
      policyMode,
      reportedAt,
      reason:
        "the policy's mode applies unless edge-guard's MODE var is set; no edge has reported its MODE var yet (it does on its first request)",
    };
  }
  if (policyMode === null) {
    const v = edge.modeVar.trim();
    return v === "observe" || v === "enforce"
      ? {
          inForce: v,
          source: "var",
          modeVar: edge.modeVar,
          policyMode,
          reportedAt,
          reason: `MODE = "${v}" in edge-guard's wrangler.toml (the stored policy does not compile)`,
        }
      : {
          inForce: null,
          source: "policy",
          modeVar: edge.modeVar,
          policyMode,
          reportedAt,
          reason: "the stored policy does not compile: the edge keeps the mode of its last good policy",
        };
  }
  const decided = modeInForce(edge.modeVar, policyMode);
  return { inForce: decided.mode, source: decided.source, modeVar: edge.modeVar, policyMode, reason: decided.reason, reportedAt };
}
