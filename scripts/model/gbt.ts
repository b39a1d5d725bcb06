/**
 * Gradient-boosted trees for P(bot), in TypeScript: depth-limited regression trees on binned features, fitted by
 * Newton steps on the logistic loss, with monotonic constraints (a constrained feature can only raise the score).
 *
 * Monotonicity as XGBoost does it: a split on an increasing feature is allowed only when its left leaf value is at
 * most its right one, and the two subtrees are then bounded by the midpoint (left below, right above), so every
 * tree, hence their sum and its sigmoid, is non-decreasing in that feature whatever the other inputs are.
 *
 * Thresholds are float32 values and rows are compared as float32 (`x <= threshold` goes left), exactly as ONNX-ML's
 * TreeEnsembleRegressor compares them, so the exported model scores what this one does.
 */

/** One node: a split (`feature`, `threshold`, children) or a leaf (`value`, a logit contribution). */
export type TreeNode =
  { readonly feature: number; readonly threshold: number; readonly left: TreeNode; readonly right: TreeNode } | { readonly value: number };

/** A fitted ensemble: logit = base + Σ trees; p = sigmoid(logit). */
export interface GbtModel {
  readonly base: number;
  readonly trees: readonly TreeNode[];
  /** Feature indices constrained to raise (never lower) the score. */
  readonly increasing: readonly number[];
}

export interface GbtOptions {
  readonly trees?: number;
  readonly depth?: number;
  readonly learningRate?: number;
  /** L2 penalty on leaf values (XGBoost's lambda). */
  readonly l2?: number;
  /** Least hessian (≈ p(1−p) summed) on each side of a split. */
  readonly minChildWeight?: number;
  /** Most thresholds per feature (quantiles of the training values). */
  readonly maxBins?: number;
  /** Feature indices whose effect may only be non-negative. */
  readonly increasing?: readonly number[];
  /** Share of the features each tree may split on (drawn per tree with `seed`): 1 = all. Below 1, no single feature can carry the model. */
  readonly featureFraction?: number;
  readonly seed?: number;
}

import { SeededRandom } from "./seeded-random";

const f32 = Math.fround;
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Candidate thresholds of one column: midpoints between distinct (float32) values, thinned to `maxBins` quantiles. */
export function thresholdsOf(values: readonly number[], maxBins: number): number[] {
  const distinct = [...new Set(values.map(f32))].sort((a, b) => a - b);
  const mids: number[] = [];
  for (let i = 1; i < distinct.length; i++) {
    const [a, b] = [distinct[i - 1] ?? 0, distinct[i] ?? 0];
    const mid = f32((a + b) / 2);
    // A float32 midpoint must still separate a from b.
    mids.push(mid >= a && mid < b ? mid : a);
  }
  if (mids.length <= maxBins) return mids;
  const sorted = values.map(f32).sort((a, b) => a - b);
  const picked = new Set<number>();
  for (let q = 1; q <= maxBins; q++) {
    const v = sorted[Math.min(sorted.length - 1, Math.floor((q * sorted.length) / (maxBins + 1)))] ?? 0;
    // The smallest midpoint at or above the quantile value.
    const t = mids.find((m) => m >= v);
    if (t !== undefined) picked.add(t);
  }
  return [...picked].sort((a, b) => a - b);
}

/** Index of the first threshold `x` is at or below (thresholds.length when above all): the row's bin. */
function binOf(x: number, thresholds: readonly number[]): number {
  let lo = 0;
  let hi = thresholds.length;
  const v = f32(x);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v <= (thresholds[mid] ?? Infinity)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

interface Split {
  readonly feature: number;
  readonly bin: number;
  readonly gain: number;
  readonly left: number;
  readonly right: number;
}

/** Fits the ensemble on rows `x` (features) and labels `y` (1 = bot). Deterministic. */
export function trainGbt(x: readonly (readonly number[])[], y: readonly number[], options: GbtOptions = {}): GbtModel {
  const { trees: rounds = 150, depth = 3, learningRate = 0.1, l2 = 1, minChildWeight = 1, maxBins = 32, increasing = [] } = options;
  const { featureFraction = 1, seed = 1 } = options;
  const random = new SeededRandom(seed);
  let usable: ReadonlySet<number> = new Set();
  const n = x.length;
  const f = x[0]?.length ?? 0;
  const monotone = new Set(increasing);
  const thresholds = Array.from({ length: f }, (_, j) =>
    thresholdsOf(
      x.map((row) => row[j] ?? 0),
      maxBins,
    ),
  );
  const bins = x.map((row) => row.map((v, j) => binOf(v, thresholds[j] ?? [])));
  const mean = Math.min(1 - 1e-6, Math.max(1e-6, y.reduce((s, v) => s + v, 0) / (n || 1)));
  const base = Math.log(mean / (1 - mean));
  const logit = Array.from({ length: n }, () => base);
  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
  const leafValue = (g: number, h: number, lower: number, upper: number): number => Math.min(upper, Math.max(lower, -g / (h + l2)));

  const bestSplit = (rows: readonly number[], lower: number, upper: number): Split | null => {
    let g = 0;
    let h = 0;
    for (const i of rows) [g, h] = [g + (grad[i] ?? 0), h + (hess[i] ?? 0)];
    const parentScore = (g * g) / (h + l2);
    let best: Split | null = null;
    for (let j = 0; j < f; j++) {
      const k = (thresholds[j] ?? []).length;
      if (k === 0 || !usable.has(j)) continue;
      const gs = new Float64Array(k + 1);
      const hs = new Float64Array(k + 1);
      for (const i of rows) {
        const b = bins[i]?.[j] ?? 0;
        gs[b] = (gs[b] ?? 0) + (grad[i] ?? 0);
        hs[b] = (hs[b] ?? 0) + (hess[i] ?? 0);
      }
      let gl = 0;
      let hl = 0;
      for (let b = 0; b < k; b++) {
        gl += gs[b] ?? 0;
        hl += hs[b] ?? 0;
        const [gr, hr] = [g - gl, h - hl];
        if (hl < minChildWeight || hr < minChildWeight) continue;
        const [wl, wr] = [leafValue(gl, hl, lower, upper), leafValue(gr, hr, lower, upper)];
        if (monotone.has(j) && wl > wr) continue;
        const gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - parentScore;
        if (gain > 1e-9 && (best === null || gain > best.gain)) best = { feature: j, bin: b, gain, left: wl, right: wr };
      }
    }
    return best;
  };

  const grow = (rows: number[], level: number, lower: number, upper: number): TreeNode => {
    const split = level < depth && rows.length >= 2 ? bestSplit(rows, lower, upper) : null;
    if (split === null) {
      let [g, h] = [0, 0];
      for (const i of rows) [g, h] = [g + (grad[i] ?? 0), h + (hess[i] ?? 0)];
      return { value: learningRate * leafValue(g, h, lower, upper) };
    }
    const left = rows.filter((i) => (bins[i]?.[split.feature] ?? 0) <= split.bin);
    const right = rows.filter((i) => (bins[i]?.[split.feature] ?? 0) > split.bin);
    const mid = (split.left + split.right) / 2;
    const [leftUpper, rightLower] = monotone.has(split.feature) ? [Math.min(upper, mid), Math.max(lower, mid)] : [upper, lower];
    return {
      feature: split.feature,
      threshold: thresholds[split.feature]?.[split.bin] ?? 0,
      left: grow(left, level + 1, lower, leftUpper),
      right: grow(right, level + 1, rightLower, upper),
    };
  };

  const trees: TreeNode[] = [];
  const all = Array.from({ length: n }, (_, i) => i);
  for (let t = 0; t < rounds; t++) {
    const columns = Array.from({ length: f }, (_, j) => j);
    usable = new Set(featureFraction >= 1 ? columns : random.shuffle(columns).slice(0, Math.max(1, Math.round(featureFraction * f))));
    for (let i = 0; i < n; i++) {
      const p = sigmoid(logit[i] ?? 0);
      grad[i] = p - (y[i] ?? 0);
      hess[i] = Math.max(p * (1 - p), 1e-12);
    }
    const tree = grow(all, 0, -Infinity, Infinity);
    trees.push(tree);
    for (let i = 0; i < n; i++) logit[i] = (logit[i] ?? 0) + treeValue(tree, x[i] ?? []);
  }
  return { base, trees, increasing: [...increasing] };
}

/** A tree's leaf value for one row (float32 comparison, as ONNX runs it). */
export function treeValue(tree: TreeNode, row: readonly number[]): number {
  let node = tree;
  while (!("value" in node)) node = f32(row[node.feature] ?? 0) <= node.threshold ? node.left : node.right;
  return node.value;
}

/** P(bot) for one row. */
export function predictGbt(model: GbtModel, row: readonly number[]): number {
  return sigmoid(model.trees.reduce((s, tree) => s + treeValue(tree, row), model.base));
}

/** Leaves rounded to float32 (what the ONNX file stores), so the TypeScript model and its export agree. */
export function roundGbt(model: GbtModel): GbtModel {
  const round = (node: TreeNode): TreeNode =>
    "value" in node ? { value: f32(node.value) } : { ...node, left: round(node.left), right: round(node.right) };
  return { ...model, base: f32(model.base), trees: model.trees.map(round) };
}

/** Splits per feature over the ensemble (for the model card: which inputs the trees use). */
export function splitCounts(model: GbtModel, featureCount: number): number[] {
  const counts = Array.from({ length: featureCount }, () => 0);
  const walk = (node: TreeNode): void => {
    if ("value" in node) return;
    counts[node.feature] = (counts[node.feature] ?? 0) + 1;
    walk(node.left);
    walk(node.right);
  };
  model.trees.forEach(walk);
  return counts;
}
