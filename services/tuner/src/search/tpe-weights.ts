import type { Observation } from './sampler';

/**
 * How TPE weighs the observations behind l(x) and g(x):
 * - 'improvement' (Watanabe 2023, "EI" weighting): a good trial weighs by how far its loss lies below
 *   the best bad one, so l(x) leans on the best trials rather than on the last of the good ones;
 *   bad trials weigh equally.
 * - 'recency' (Optuna's default_weights): equal up to 25 trials, older ones ramp down from 1 to 1/n
 *   beyond, in both groups.
 */
export type WeightScheme = 'improvement' | 'recency';

/** A group's kernel weights, in its observations' order, and the weight of its prior kernel. */
export interface GroupWeights {
  readonly weights: number[];
  readonly prior: number;
}

/** Optuna's default_weights: equal up to 25 trials, older ones ramp down from 1 to 1/n beyond. */
export function recencyWeights(n: number): number[] {
  if (n < 25) return new Array<number>(n).fill(1);
  const ramp = Array.from({ length: n - 25 }, (_, i) =>
    n - 25 === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (n - 26),
  );
  return [...ramp, ...new Array<number>(25).fill(1)];
}

/** The loss the good trials improve on: the best completed bad trial's (Infinity when there is none). */
export function improvementThreshold(bad: readonly Observation[]): number {
  let t = Infinity;
  for (const o of bad) if (!o.pruned && o.loss < t) t = o.loss;
  return t;
}

/**
 * Weights of the good group (observations in trial order). Under 'improvement' they are scaled to
 * average 1, so the prior kernel (priorWeight) keeps the share it has among equal weights and the
 * estimators' smoothing does not depend on the losses' scale; a group with a pruned trial, a
 * non-finite loss or no threshold falls back to equal weights.
 */
export function goodWeights(
  good: readonly Observation[],
  scheme: WeightScheme,
  threshold: number,
  priorWeight: number,
): GroupWeights {
  if (scheme === 'recency') return { weights: recencyWeights(good.length), prior: priorWeight };
  const usable = Number.isFinite(threshold) && good.every((o) => !o.pruned && Number.isFinite(o.loss));
  if (!usable || good.length === 0) return { weights: good.map(() => 1), prior: priorWeight };
  // A floor keeps ties with the threshold in the model (Watanabe's 1e-12).
  const margins = good.map((o) => Math.max(1e-12, threshold - o.loss));
  const mean = margins.reduce((a, w) => a + w, 0) / margins.length;
  return { weights: margins.map((w) => w / mean), prior: priorWeight };
}

/** Weights of the bad group (observations in trial order). */
export function badWeights(
  bad: readonly Observation[],
  scheme: WeightScheme,
  priorWeight: number,
): GroupWeights {
  const weights = scheme === 'recency' ? recencyWeights(bad.length) : bad.map(() => 1);
  return { weights, prior: priorWeight };
}
