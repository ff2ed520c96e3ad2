import type { Rng } from '@athanor/training-core';
import { CategoricalParzen, NumericParzen } from './parzen-estimator';
import { randomParams, trialRng } from './random-sampler';
import type { Observation, Sampler, SampleContext } from './sampler';
import { isActive, snap, type Param, type Params, type Space } from './space';

export interface TpeOptions {
  /** Random trials before the model is used. Default 10. */
  readonly nStartupTrials: number;
  /** Candidates drawn from l(x) per parameter per suggestion. Default 24. */
  readonly nEiCandidates: number;
  /** Weight of the prior component. Default 1. */
  readonly priorWeight: number;
}

export const TPE_DEFAULTS: TpeOptions = { nStartupTrials: 10, nEiCandidates: 24, priorWeight: 1 };

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

/** The internal space of a numeric parameter: bounds, quantisation step, and the maps in and out. */
function numericFrame(p: Exclude<Param, { kind: 'categorical' }>) {
  if (p.kind === 'discrete') {
    const n = p.values.length;
    const toIndex = (x: number) =>
      p.values.reduce((best, v, i) => (Math.abs(v - x) < Math.abs(p.values[best] - x) ? i : best), 0);
    return {
      low: -0.5,
      high: n - 0.5,
      q: 1,
      encode: toIndex,
      decode: (z: number) => p.values[Math.min(n - 1, Math.max(0, Math.round(z)))],
    };
  }
  const step = p.kind === 'int' ? p.step : (p.step ?? 0);
  if (p.log) {
    // Optuna: log domains are modelled in log space; ints widen by 0.5 before the log.
    const pad = p.kind === 'int' ? 0.5 : 0;
    return {
      low: Math.log(p.low - pad),
      high: Math.log(p.high + pad),
      q: 0,
      encode: (x: number) => Math.log(x),
      decode: (z: number) => snap(p, Math.exp(z)) as number,
    };
  }
  return {
    low: p.low - step / 2,
    high: p.high + step / 2,
    q: step,
    encode: (x: number) => x,
    decode: (z: number) => snap(p, z) as number,
  };
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

/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011), univariate as Optuna's TPESampler
 * defaults: split the finished trials into the best gamma(n) and the rest, fit one Parzen estimator
 * per parameter to each group, and take the candidate that maximises l(x)/g(x). Conditional
 * parameters are modelled from the trials where they were active (the "tree" of TPE).
 */
export function tpeSampler(space: Space, seed: number, options: TpeOptions = TPE_DEFAULTS): Sampler {
  return {
    needsHistory: true,
    size: Infinity,
    propose({ number, history }: SampleContext): Params {
      const rng = trialRng(seed, number);
      if (history.length < options.nStartupTrials) return randomParams(space, rng);
      const ranked = rank(history);
      const nBelow = gamma(ranked.length);
      // Weights follow trial order (older trials weigh less beyond 25), as Optuna's do.
      const byNumber = (os: Observation[]) => os.sort((x, y) => x.number - y.number);
      const below = byNumber(ranked.slice(0, nBelow));
      const above = byNumber(ranked.slice(nBelow));
      const out: Params = {};
      for (const p of space) if (isActive(p, out)) out[p.name] = sampleParam(p, below, above, options, rng);
      return out;
    },
  };
}
