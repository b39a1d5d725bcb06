import type { RequestFacts } from "../request-facts";
import type { Action, Reason } from "../verdict";
import type { CompiledPolicy } from "./compile";
import { evaluatePolicy } from "./evaluate";
import type { Thresholds } from "./schema";

/** A decision whose client was labelled (challenge solved, honeypot, operator…), as the dry run replays it. */
export interface LabelledSample {
  readonly facts: RequestFacts;
  /** The signals the edge computed for it (core/admin/policy-dry-run.ts storedSignals). */
  readonly signals: readonly Reason[];
  readonly label: "human" | "bot";
}

/** What a policy does to the labelled samples. A miss is a bot let through; a false alarm is a person not let through. */
export interface Outcome {
  readonly misses: number;
  readonly falseAlarms: number;
  /** People sent to the tarpit or blocked: part of `falseAlarms`, and never allowed to grow. */
  readonly lockouts: number;
}

export type Change =
  | { readonly kind: "threshold"; readonly name: keyof Thresholds; readonly from: number; readonly to: number }
  | { readonly kind: "weight"; readonly code: string; readonly from: number; readonly to: number };

/** One suggested policy change, with what it would have done to the labelled samples. */
export interface Suggestion {
  readonly changes: readonly Change[];
  /** Labelled decisions whose action the change alters. */
  readonly changed: number;
  readonly before: Outcome;
  readonly after: Outcome;
  /** The current policy document with the change applied: a draft for the dry run, never published by this. */
  readonly policy: Record<string, unknown>;
}

export interface Recommendations {
  readonly humans: number;
  readonly bots: number;
  /** Labels needed of each kind before anything is suggested. */
  readonly minimumPerLabel: number;
  readonly current: Outcome;
  /** Best first; empty when labels are too few or nothing in the search does better. */
  readonly suggestions: readonly Suggestion[];
}

/** Below this many humans or bots among the labels, nothing is suggested: a handful of rows proves nothing. */
export const MIN_LABELS_PER_KIND = 20;
/** A false alarm on a person costs this many misses: annoying people is far worse than letting a bot through. */
export const FALSE_ALARM_COST = 10;
/** A person tarpitted or blocked costs this many misses (and a suggestion may never add one). */
export const LOCKOUT_COST = 100;
/** A weight is tuned only if its signal is on at least this many labelled samples. */
export const MIN_SAMPLES_PER_SIGNAL = 5;
/** At most this many suggestions, best first. */
export const MAX_SUGGESTIONS = 5;
/** Coordinate-search passes over every parameter: bounds the work to rounds × parameters × grid × samples. */
const MAX_ROUNDS = 3;
const MAX_TUNED_SIGNALS = 20;
// Smallest change first: among equally good values the search keeps the first, the one closest to the policy now.
const THRESHOLD_STEPS = [-5, 5, -10, 10, -20, 20, -30, 30, -50, 50] as const;
const WEIGHT_FACTORS = [0.75, 1.25, 0.5, 1.5, 0.25, 2, 0] as const;
const WEIGHT_LIMIT = 1000;

/**
 * A sample reduced to what thresholds and weights act on: a rule's outright decision, or its score now and the
 * signals (as indices into the sorted code list) whose weights a suggestion may change.
 */
interface Prepared {
  readonly bot: boolean;
  /** An allow/deny/challenge/tarpit rule decided it: weights and thresholds cannot change it. */
  readonly decided: Action | null;
  /** The score under the current policy (signals, overrides and `weigh` rules). */
  readonly score: number;
  readonly codes: readonly number[];
  /** Each signal's weight under the current policy (its override, else the weight stored with it). */
  readonly weights: readonly number[];
}

interface Params {
  readonly thresholds: Thresholds;
  /** By code index; a weight that differs from the start becomes an override, replacing every stored weight. */
  readonly weights: readonly number[];
}

/** The search's fixed context: the samples, the code list and where the search started. */
interface Search {
  readonly prepared: readonly Prepared[];
  readonly codes: readonly string[];
  readonly start: Params;
}

/**
 * Suggests thresholds and signal weights that reduce misses + FALSE_ALARM_COST × false alarms on labelled
 * samples, by coordinate search over a small grid around the current policy. Each parameter's best single change
 * is a suggestion, and so is the search's combined result when it changes more than one. `document` is the current
 * policy as written (the drafts build on it). Deterministic: same input, same output.
 */
export function recommend(policy: CompiledPolicy, document: unknown, samples: readonly LabelledSample[]): Recommendations {
  const codes = [...new Set(samples.flatMap((s) => s.signals.map((r) => r.code)))].sort();
  const index = new Map(codes.map((code, i) => [code, i]));
  const prepared = samples.map((s) => prepare(policy, s, index));
  const humans = prepared.filter((p) => !p.bot).length;
  const bots = prepared.length - humans;
  const search: Search = { prepared, codes, start: { thresholds: policy.thresholds, weights: currentWeights(policy, prepared, codes) } };
  const { start } = search;
  const current = outcome(search, start);
  const base = { humans, bots, minimumPerLabel: MIN_LABELS_PER_KIND, current };
  if (humans < MIN_LABELS_PER_KIND || bots < MIN_LABELS_PER_KIND) return { ...base, suggestions: [] };

  const tunable = tunableCodes(search);
  const single: { params: Params; cost: number }[] = [];
  for (const move of moves(tunable)) {
    const best = bestOf(search, move(start), cost(current), current.lockouts);
    if (best !== null) single.push(best);
  }
  single.sort((a, b) => a.cost - b.cost);

  let combined = start;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let improved = false;
    for (const move of moves(tunable)) {
      const best = bestOf(search, move(combined), cost(outcome(search, combined)), current.lockouts);
      if (best !== null) {
        combined = best.params;
        improved = true;
      }
    }
    if (!improved) break;
  }

  const candidates = single.map((s) => s.params);
  if (diff(search, combined).length > 1) candidates.unshift(combined);
  const suggestions = candidates.slice(0, MAX_SUGGESTIONS).map((params) => ({
    changes: diff(search, params),
    changed: prepared.filter((p) => actionOf(p, start, start) !== actionOf(p, start, params)).length,
    before: current,
    after: outcome(search, params),
    policy: draft(document, params, diff(search, params)),
  }));
  return { ...base, suggestions };
}

function prepare(policy: CompiledPolicy, sample: LabelledSample, index: ReadonlyMap<string, number>): Prepared {
  const verdict = evaluatePolicy(policy, sample.facts, sample.signals);
  return {
    bot: sample.label === "bot",
    decided: verdict.decidedBy === null ? null : verdict.action,
    score: verdict.score,
    codes: sample.signals.map((s) => index.get(s.code) ?? -1),
    weights: sample.signals.map((s) => policy.signalWeights[s.code] ?? s.weight),
  };
}

/** Each signal's weight now, by code index: the policy's override, else the weight most often stored with it. */
function currentWeights(policy: CompiledPolicy, prepared: readonly Prepared[], codes: readonly string[]): number[] {
  const seen = codes.map(() => new Map<number, number>());
  for (const p of prepared) p.codes.forEach((c, i) => seen[c]?.set(p.weights[i] ?? 0, (seen[c]?.get(p.weights[i] ?? 0) ?? 0) + 1));
  return codes.map((code, c) => {
    const override = policy.signalWeights[code];
    if (override !== undefined) return override;
    const common = [...(seen[c] ?? [])].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
    return common === undefined ? 0 : common[0];
  });
}

/** Bot-leaning signals seen often enough to judge, most frequent first (ties by code). List entries stay as they are. */
function tunableCodes(search: Search): number[] {
  const counts = search.codes.map(() => 0);
  for (const p of search.prepared) for (const c of new Set(p.codes)) counts[c] = (counts[c] ?? 0) + 1;
  return counts
    .map((n, c) => ({ n, c, w: search.start.weights[c] ?? 0 }))
    .filter(({ n, w }) => n >= MIN_SAMPLES_PER_SIGNAL && w > 0 && w < WEIGHT_LIMIT)
    .sort((a, b) => b.n - a.n || a.c - b.c)
    .slice(0, MAX_TUNED_SIGNALS)
    .map(({ c }) => c);
}

/** For each parameter, a function from a point to its grid of alternatives (that parameter changed alone). */
function moves(tunable: readonly number[]): ((p: Params) => Params[])[] {
  const names = ["challenge", "tarpit", "block"] as const;
  const thresholdMoves = names.map((name) => (p: Params) => {
    const out: Params[] = [];
    for (const step of THRESHOLD_STEPS) {
      const t = { ...p.thresholds, [name]: p.thresholds[name] + step };
      // A challenge threshold of 0 or less would challenge every request with no signal at all.
      if (t.challenge >= 1 && t.challenge <= t.tarpit && t.tarpit <= t.block) out.push({ ...p, thresholds: t });
    }
    return out;
  });
  const weightMoves = tunable.map((c) => (p: Params) => {
    const now = p.weights[c] ?? 0;
    const values = [...new Set(WEIGHT_FACTORS.map((f) => Math.min(WEIGHT_LIMIT, Math.round(now * f))))];
    return values
      .filter((v) => v !== now)
      .map((v) => {
        const weights = [...p.weights];
        weights[c] = v;
        return { ...p, weights };
      });
  });
  return [...thresholdMoves, ...weightMoves];
}

/** The cheapest candidate that beats `baseline` without locking out more than `ceiling` people; the first wins a tie. */
function bestOf(search: Search, candidates: readonly Params[], baseline: number, ceiling: number): { params: Params; cost: number } | null {
  let best: { params: Params; cost: number } | null = null;
  for (const params of candidates) {
    const o = outcome(search, params);
    const c = cost(o);
    if (o.lockouts > ceiling || c >= baseline) continue;
    if (best === null || c < best.cost) best = { params, cost: c };
  }
  return best;
}

function cost(o: Outcome): number {
  return o.misses + FALSE_ALARM_COST * o.falseAlarms + LOCKOUT_COST * o.lockouts;
}

function actionOf(p: Prepared, start: Params, params: Params): Action {
  if (p.decided !== null) return p.decided;
  let score = p.score;
  for (let i = 0; i < p.codes.length; i++) {
    const c = p.codes[i] ?? -1;
    const w = params.weights[c];
    // A changed weight is an override: it replaces what this sample carried.
    if (w !== undefined && w !== start.weights[c]) score += w - (p.weights[i] ?? 0);
  }
  const t = params.thresholds;
  if (score >= t.block) return "block";
  if (score >= t.tarpit) return "tarpit";
  if (score >= t.challenge) return "challenge";
  return "allow";
}

function outcome(search: Search, params: Params): Outcome {
  let misses = 0;
  let falseAlarms = 0;
  let lockouts = 0;
  for (const p of search.prepared) {
    const action = actionOf(p, search.start, params);
    if (p.bot) {
      if (action === "allow") misses++;
    } else if (action !== "allow") {
      falseAlarms++;
      if (action === "tarpit" || action === "block") lockouts++;
    }
  }
  return { misses, falseAlarms, lockouts };
}

function diff(search: Search, to: Params): Change[] {
  const from = search.start;
  const changes: Change[] = [];
  for (const name of ["challenge", "tarpit", "block"] as const) {
    if (from.thresholds[name] !== to.thresholds[name])
      changes.push({ kind: "threshold", name, from: from.thresholds[name], to: to.thresholds[name] });
  }
  search.codes.forEach((code, c) => {
    const a = from.weights[c];
    const b = to.weights[c];
    if (a !== undefined && b !== undefined && a !== b) changes.push({ kind: "weight", code, from: a, to: b });
  });
  return changes;
}

/** The written policy with the suggested thresholds (all three, explicit) and weight overrides. */
function draft(document: unknown, params: Params, changes: readonly Change[]): Record<string, unknown> {
  const doc: Record<string, unknown> = typeof document === "object" && document !== null && !Array.isArray(document) ? { ...document } : {};
  if (changes.some((c) => c.kind === "threshold")) doc["thresholds"] = { ...params.thresholds };
  const weights = changes.filter((c) => c.kind === "weight");
  if (weights.length > 0) {
    const old = doc["signalWeights"];
    const merged: Record<string, unknown> = typeof old === "object" && old !== null ? { ...old } : {};
    for (const c of weights) merged[c.code] = c.to;
    doc["signalWeights"] = merged;
  }
  return doc;
}
