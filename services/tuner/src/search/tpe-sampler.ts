import type { Rng } from '@athanor/training-core';
import { CategoricalParzen, NumericParzen } from './parzen-estimator';
import { randomParams, trialRng } from './random-sampler';
import type { Observation, Sampler, SampleContext } from './sampler';
import { MultivariateParzen, type BandwidthRule, type ParzenDim } from './parzen-multivariate';
import { isActive, type Param, type Params, type Space } from './space';
import { numericFrame } from './tpe-frame';
import {
  badWeights,
  goodWeights,
  improvementThreshold,
  type GroupWeights,
  type WeightScheme,
} from './tpe-weights';

export interface TpeOptions {
  /** Random trials before the model is used. Default 10. */
  readonly nStartupTrials: number;
  /** Candidates drawn from l(x) per parameter (per suggestion when multivariate). Default 24. */
  readonly nEiCandidates: number;
  /** Weight of the prior component, in observations of average weight. Default 1. */
  readonly priorWeight: number;
  /**
   * Model the unconditional parameters jointly (Falkner et al. 2018; Optuna's multivariate=True);
   * conditional ones stay univariate. Default true.
   */
  readonly multivariate?: boolean;
  /** Fraction of the finished trials that forms l(x): the best ceil(gamma * n), at most 25. Default 0.15 (Optuna: 0.1). */
  readonly gamma?: number;
  /** How observations weigh in l(x) and g(x) (see WeightScheme). Default 'improvement' (Optuna: 'recency'). */
  readonly weights?: WeightScheme;
  /** Joint kernels' widths (see BandwidthRule). Default neighbour distances (Optuna 3.x: Scott's rule, 0.2). */
  readonly bandwidth?: BandwidthRule;
}

/**
 * Defaults chosen on the search-quality benchmark (bench/tuner-bench.ts, seeds 1-200 against Optuna
 * 3.1's TPE on seeds 1-200), each a published component rather than a constant fitted to it:
 * - joint kernels with neighbour-distance widths (Bergstra et al.'s univariate rule per dimension, as
 *   Optuna 5 does): narrow where the good trials crowd, wide where they are sparse, where one
 *   Scott's-rule width (our previous 0.05) is either too wide near an optimum or too narrow early;
 * - improvement weights for l(x) (Watanabe 2023), so the best trials pull hardest;
 * - gamma 0.15 rather than Optuna's 0.1: with improvement weights a larger good group costs little
 *   focus and steadies l(x) (better on Branin and Hartmann-6, level on Rosenbrock; 0.2 loses on
 *   Rosenbrock).
 */
export const TPE_DEFAULTS: Required<TpeOptions> = {
  nStartupTrials: 10,
  nEiCandidates: 24,
  priorWeight: 1,
  multivariate: true,
  gamma: 0.15,
  weights: 'improvement',
  bandwidth: { kind: 'neighbour' },
};

/** How many of n finished trials form l(x): ceil(gamma * n), at most 25 (Optuna's default_gamma has gamma = 0.1). */
export function goodCount(n: number, gamma: number = TPE_DEFAULTS.gamma): number {
  return Math.min(Math.ceil(gamma * n), 25);
}

/** Ranks as Optuna's TPE: completed trials by loss, then pruned ones, deeper steps first. */
function rank(history: readonly Observation[]): Observation[] {
  return [...history].sort((a, b) => {
    if (a.pruned !== b.pruned) return a.pruned ? 1 : -1;
    if (a.pruned && a.step !== b.step) return b.step - a.step;
    return a.loss - b.loss || a.number - b.number;
  });
}

/** The history split into good (l) and bad (g) trials, each in trial order, as Optuna keeps them. */
interface Split {
  readonly below: readonly Observation[];
  readonly above: readonly Observation[];
  /** The loss the good trials' improvement weights are measured from (see improvementThreshold). */
  readonly threshold: number;
}

function splitHistory(history: readonly Observation[], gamma: number): Split {
  const ranked = rank(history);
  const good = new Set(ranked.slice(0, goodCount(ranked.length, gamma)));
  const sorted = history.every((o, i) => i === 0 || history[i - 1].number < o.number);
  const below: Observation[] = [];
  const above: Observation[] = [];
  for (const o of sorted ? history : [...history].sort((x, y) => x.number - y.number))
    (good.has(o) ? below : above).push(o);
  return { below, above, threshold: improvementThreshold(above) };
}

/** Kernel weights of the good and bad observations that carry the modelled parameters. */
function weigh(
  b: readonly Observation[],
  a: readonly Observation[],
  split: Split,
  options: Required<TpeOptions>,
): [GroupWeights, GroupWeights] {
  return [
    goodWeights(b, options.weights, split.threshold, options.priorWeight),
    badWeights(a, options.weights, options.priorWeight),
  ];
}

/** Proposes one parameter by maximising l(x)/g(x) over candidates drawn from l (Bergstra et al. 2011, EI). */
function sampleParam(p: Param, split: Split, options: Required<TpeOptions>, rng: Rng): number | string {
  const b = split.below.filter((o) => o.params[p.name] !== undefined);
  const a = split.above.filter((o) => o.params[p.name] !== undefined);
  const [wb, wa] = weigh(b, a, split, options);
  if (p.kind === 'categorical') {
    const idx = (os: readonly Observation[]) =>
      os.map((o) => Math.max(0, p.choices.indexOf(String(o.params[p.name]))));
    const l = new CategoricalParzen(idx(b), wb.weights, p.choices.length, wb.prior);
    const g = new CategoricalParzen(idx(a), wa.weights, p.choices.length, wa.prior);
    let best = 0;
    let bestScore = -Infinity;
    for (let k = 0; k < options.nEiCandidates; k++) {
      const i = l.sample(rng);
      const score = l.logPdf(i) - g.logPdf(i);
      if (score > bestScore) [best, bestScore] = [i, score];
    }
    return p.choices[best];
  }
  const f = numericFrame(p);
  const enc = (os: readonly Observation[]) => os.map((o) => f.encode(Number(o.params[p.name])));
  const l = new NumericParzen(enc(b), wb.weights, f.low, f.high, wb.prior, f.q);
  const g = new NumericParzen(enc(a), wa.weights, f.low, f.high, wa.prior, f.q);
  let best = l.sample(rng);
  let bestScore = -Infinity;
  for (let k = 0; k < options.nEiCandidates; k++) {
    // Quantised domains score the value they would become.
    const z = l.sample(rng);
    const x = f.q > 0 ? f.encode(f.decode(z)) : z;
    const score = l.logPdf(x) - g.logPdf(x);
    if (score > bestScore) [best, bestScore] = [z, score];
  }
  return f.decode(best);
}

/** A numeric or categorical parameter's coordinate in the joint model's space. */
function jointCoder(p: Param): {
  dim: ParzenDim;
  encode: (v: number | string) => number;
  decode: (z: number) => number | string;
  /** What a candidate becomes once decoded, back in the model's space (quantised domains). */
  settle: (z: number) => number;
} {
  if (p.kind === 'categorical') {
    const n = p.choices.length;
    return {
      dim: { kind: 'categorical', n },
      encode: (v) => Math.max(0, p.choices.indexOf(String(v))),
      decode: (z) => p.choices[z],
      settle: (z) => z,
    };
  }
  const f = numericFrame(p);
  return {
    dim: { kind: 'numeric', low: f.low, high: f.high, q: f.q },
    encode: (v) => f.encode(Number(v)),
    decode: (z) => f.decode(z),
    settle: (z) => (f.q > 0 ? f.encode(f.decode(z)) : z),
  };
}

/** Proposes the parameters in `joint` together by maximising l(x)/g(x) over joint candidates. */
function sampleJoint(joint: readonly Param[], split: Split, options: Required<TpeOptions>, rng: Rng): Params {
  const coders = joint.map(jointCoder);
  const dims = coders.map((c) => c.dim);
  const has = (o: Observation) => joint.every((p) => o.params[p.name] !== undefined);
  const b = split.below.filter(has);
  const a = split.above.filter(has);
  const enc = (os: readonly Observation[]) =>
    os.map((o) => joint.map((p, j) => coders[j].encode(o.params[p.name])));
  const [wb, wa] = weigh(b, a, split, options);
  const l = new MultivariateParzen(enc(b), wb.weights, dims, wb.prior, options.bandwidth);
  const g = new MultivariateParzen(enc(a), wa.weights, dims, wa.prior, options.bandwidth);
  let best: number[] = [];
  let bestScore = -Infinity;
  for (let k = 0; k < options.nEiCandidates; k++) {
    const z = l.sample(rng);
    const x = z.map((v, j) => coders[j].settle(v));
    const score = l.logPdf(x) - g.logPdf(x);
    if (score > bestScore || best.length === 0) [best, bestScore] = [z, score];
  }
  const out: Params = {};
  joint.forEach((p, j) => (out[p.name] = coders[j].decode(best[j])));
  return out;
}

/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011) after Optuna's TPESampler: split the
 * finished trials into the best goodCount(n) and the rest, fit weighted Parzen estimators to each
 * group, and take the candidate that maximises l(x)/g(x). Univariate fits one estimator per parameter;
 * multivariate one joint estimator over the unconditional parameters. Conditional parameters are
 * modelled from the trials where they were active (the "tree" of TPE).
 */
export function tpeSampler(space: Space, seed: number, options: TpeOptions = TPE_DEFAULTS): Sampler {
  const o = { ...TPE_DEFAULTS, ...options };
  const joint = o.multivariate ? space.filter((p) => !p.condition) : [];
  return {
    needsHistory: true,
    size: Infinity,
    propose({ number, history }: SampleContext): Params {
      const rng = trialRng(seed, number);
      if (history.length < o.nStartupTrials) return randomParams(space, rng);
      const split = splitHistory(history, o.gamma);
      const out: Params = joint.length > 0 ? sampleJoint(joint, split, o, rng) : {};
      for (const p of space)
        if (out[p.name] === undefined && isActive(p, out)) out[p.name] = sampleParam(p, split, o, rng);
      return out;
    },
  };
}
