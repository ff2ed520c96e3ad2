import type { Rng } from '@athanor/training-core';
import { CategoricalParzen, NumericParzen } from './parzen-estimator';
import { randomParams, trialRng } from './random-sampler';
import type { Observation, Sampler, SampleContext } from './sampler';
import { MultivariateParzen, type ParzenDim } from './parzen-multivariate';
import { isActive, type Param, type Params, type Space } from './space';
import { numericFrame } from './tpe-frame';

export interface TpeOptions {
  /** Random trials before the model is used. Default 10. */
  readonly nStartupTrials: number;
  /** Candidates drawn from l(x) per parameter (per suggestion when multivariate). Default 24. */
  readonly nEiCandidates: number;
  /** Weight of the prior component. Default 1. */
  readonly priorWeight: number;
  /**
   * Model the unconditional parameters jointly (Falkner et al. 2018; Optuna's multivariate=True);
   * conditional ones stay univariate. Default true (see TPE_DEFAULTS).
   */
  readonly multivariate?: boolean;
  /** Multivariate kernels' width: sigma = f * n^(-1/(d+4)) * range (Scott's rule). Default 0.05 (BOHB and Optuna: 0.2). */
  readonly bandwidthFactor?: number;
}

/**
 * Multivariate with narrow kernels (0.05 rather than BOHB's 0.2) by default: on the search-quality
 * benchmark (bench/tuner-bench.ts, 10 and 30 seeds) joint kernels find the coupled optima of
 * Hartmann-6 and the Rosenbrock valley that per-parameter models miss, and the narrower width
 * exploits them within 100 trials; Branin (2-D, three separate minima) is slightly worse than univariate.
 */
export const TPE_DEFAULTS: Required<TpeOptions> = {
  nStartupTrials: 10,
  nEiCandidates: 24,
  priorWeight: 1,
  multivariate: true,
  bandwidthFactor: 0.05,
};

/** Optuna's default gamma: the best min(ceil(0.1 n), 25) trials form l(x). */
export function gamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/** Optuna's default_weights: equal up to 25 trials, older ones ramp down from 1 to 1/n beyond. */
export function observationWeights(n: number): number[] {
  if (n < 25) return new Array<number>(n).fill(1);
  const ramp = Array.from({ length: n - 25 }, (_, i) =>
    n - 25 === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (n - 26),
  );
  return [...ramp, ...new Array<number>(25).fill(1)];
}

/** Ranks as Optuna's TPE: completed trials by loss, then pruned ones, deeper steps first. */
function rank(history: readonly Observation[]): Observation[] {
  return [...history].sort((a, b) => {
    if (a.pruned !== b.pruned) return a.pruned ? 1 : -1;
    if (a.pruned && a.step !== b.step) return b.step - a.step;
    return a.loss - b.loss || a.number - b.number;
  });
}

/** Proposes one parameter by maximising l(x)/g(x) over candidates drawn from l (Bergstra et al. 2011, EI). */
function sampleParam(
  p: Param,
  below: readonly Observation[],
  above: readonly Observation[],
  options: TpeOptions,
  rng: Rng,
): number | string {
  const b = below.filter((o) => o.params[p.name] !== undefined);
  const a = above.filter((o) => o.params[p.name] !== undefined);
  const wb = observationWeights(b.length);
  const wa = observationWeights(a.length);
  if (p.kind === 'categorical') {
    const idx = (os: readonly Observation[]) =>
      os.map((o) => Math.max(0, p.choices.indexOf(String(o.params[p.name]))));
    const l = new CategoricalParzen(idx(b), wb, p.choices.length, options.priorWeight);
    const g = new CategoricalParzen(idx(a), wa, p.choices.length, options.priorWeight);
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
  const l = new NumericParzen(enc(b), wb, f.low, f.high, options.priorWeight, f.q);
  const g = new NumericParzen(enc(a), wa, f.low, f.high, options.priorWeight, f.q);
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
function sampleJoint(
  joint: readonly Param[],
  below: readonly Observation[],
  above: readonly Observation[],
  options: Required<TpeOptions>,
  rng: Rng,
): Params {
  const coders = joint.map(jointCoder);
  const dims = coders.map((c) => c.dim);
  const has = (o: Observation) => joint.every((p) => o.params[p.name] !== undefined);
  const enc = (os: readonly Observation[]) =>
    os.filter(has).map((o) => joint.map((p, j) => coders[j].encode(o.params[p.name])));
  const b = enc(below);
  const a = enc(above);
  const { priorWeight, bandwidthFactor } = options;
  const l = new MultivariateParzen(b, observationWeights(b.length), dims, priorWeight, bandwidthFactor);
  const g = new MultivariateParzen(a, observationWeights(a.length), dims, priorWeight, bandwidthFactor);
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
 * Tree-structured Parzen Estimator (Bergstra et al. 2011) as Optuna's TPESampler: split the
 * finished trials into the best gamma(n) and the rest, fit Parzen estimators to each group, and
 * take the candidate that maximises l(x)/g(x). Univariate fits one estimator per parameter;
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
      const ranked = rank(history);
      const nBelow = gamma(ranked.length);
      // Weights follow trial order (older trials weigh less beyond 25), as Optuna's do.
      const byNumber = (os: Observation[]) => os.sort((x, y) => x.number - y.number);
      const below = byNumber(ranked.slice(0, nBelow));
      const above = byNumber(ranked.slice(nBelow));
      const out: Params = joint.length > 0 ? sampleJoint(joint, below, above, o, rng) : {};
      for (const p of space)
        if (out[p.name] === undefined && isActive(p, out)) out[p.name] = sampleParam(p, below, above, o, rng);
      return out;
    },
  };
}
