/** Logistic regression trained by full-batch Adam on standardised inputs, and the metrics to judge it. */

/** A fitted model on raw (unstandardised) features: p = sigmoid(x · weights + bias). */
export interface LinearModel {
  readonly weights: number[];
  readonly bias: number;
}

/** Training settings. Defaults suit a few thousand rows and about ten features. */
export interface TrainOptions {
  readonly epochs?: number;
  readonly learningRate?: number;
  /** L2 penalty on the standardised weights. */
  readonly l2?: number;
  /** Feature indices whose weight may not be negative (projected after each step): they can only raise the score. */
  readonly nonNegative?: readonly number[];
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
const zeros = (length: number): number[] => Array.from({ length }, () => 0);

/** Fits weights on standardised columns, then folds the standardisation back in, so serving needs no scaler. */
export function trainLogistic(x: readonly number[][], y: readonly number[], options: TrainOptions = {}): LinearModel {
  const { epochs = 3000, learningRate = 0.05, l2 = 1e-3, nonNegative = [] } = options;
  const n = x.length;
  const f = x[0]?.length ?? 0;
  const mean = Array.from({ length: f }, (_, j) => x.reduce((s, row) => s + (row[j] ?? 0), 0) / n);
  const std = mean.map((m, j) => Math.sqrt(x.reduce((s, row) => s + ((row[j] ?? 0) - m) ** 2, 0) / n) || 1);
  const z = x.map((row) => row.map((v, j) => (v - (mean[j] ?? 0)) / (std[j] ?? 1)));
  // Adam over [w_0 … w_{f-1}, b]
  const theta = zeros(f + 1);
  const m1 = zeros(f + 1);
  const m2 = zeros(f + 1);
  const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
  for (let t = 1; t <= epochs; t++) {
    const grad = zeros(f + 1);
    for (let i = 0; i < n; i++) {
      const row = z[i] ?? [];
      let logit = theta[f] ?? 0;
      for (let j = 0; j < f; j++) logit += (theta[j] ?? 0) * (row[j] ?? 0);
      const err = sigmoid(logit) - (y[i] ?? 0);
      for (let j = 0; j < f; j++) grad[j] = (grad[j] ?? 0) + err * (row[j] ?? 0);
      grad[f] = (grad[f] ?? 0) + err;
    }
    for (let j = 0; j <= f; j++) {
      const g = (grad[j] ?? 0) / n + (j < f ? l2 * (theta[j] ?? 0) : 0);
      m1[j] = beta1 * (m1[j] ?? 0) + (1 - beta1) * g;
      m2[j] = beta2 * (m2[j] ?? 0) + (1 - beta2) * g * g;
      const step = (learningRate * ((m1[j] ?? 0) / (1 - beta1 ** t))) / (Math.sqrt((m2[j] ?? 0) / (1 - beta2 ** t)) + eps);
      theta[j] = (theta[j] ?? 0) - step;
    }
    for (const j of nonNegative) theta[j] = Math.max(0, theta[j] ?? 0);
  }
  const weights = mean.map((_, j) => (theta[j] ?? 0) / (std[j] ?? 1));
  const bias = (theta[f] ?? 0) - mean.reduce((s, m, j) => s + (weights[j] ?? 0) * m, 0);
  return { weights, bias };
}

/** P(bot) for one feature row. */
export function predict(model: LinearModel, row: readonly number[]): number {
  return sigmoid(row.reduce((s, v, j) => s + v * (model.weights[j] ?? 0), model.bias));
}

/** Counts of a binary decision at one threshold. */
export interface Confusion {
  readonly threshold: number;
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
  readonly precision: number;
  readonly recall: number;
  /** Share of humans wrongly flagged. */
  readonly falsePositiveRate: number;
}

/** Precision, recall and confusion matrix when `score >= threshold` means bot. */
export function confusion(scores: readonly number[], labels: readonly number[], threshold: number): Confusion {
  let tp = 0,
    fp = 0,
    tn = 0,
    fn = 0;
  scores.forEach((s, i) => {
    const bot = labels[i] === 1;
    if (s >= threshold && bot) tp++;
    else if (s >= threshold) fp++;
    else if (bot) fn++;
    else tn++;
  });
  return { threshold, tp, fp, tn, fn, precision: tp / (tp + fp || 1), recall: tp / (tp + fn || 1), falsePositiveRate: fp / (fp + tn || 1) };
}

/** ROC AUC as the Mann–Whitney statistic (ties count half). */
export function rocAuc(scores: readonly number[], labels: readonly number[]): number {
  const ranked = scores.map((s, i) => ({ s, bot: labels[i] === 1 })).sort((a, b) => a.s - b.s);
  let rankSum = 0,
    positives = 0;
  for (let i = 0; i < ranked.length;) {
    let j = i;
    while (j < ranked.length && ranked[j]?.s === ranked[i]?.s) j++;
    const averageRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++)
      if (ranked[k]?.bot) {
        rankSum += averageRank;
        positives++;
      }
    i = j;
  }
  const negatives = ranked.length - positives;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives || 1);
}

/** Mean binary cross-entropy. */
export function logLoss(scores: readonly number[], labels: readonly number[]): number {
  const eps = 1e-12;
  return -scores.reduce((s, p, i) => s + (labels[i] === 1 ? Math.log(p + eps) : Math.log(1 - p + eps)), 0) / (scores.length || 1);
}
