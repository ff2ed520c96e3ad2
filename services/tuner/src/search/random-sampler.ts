import { Rng } from '@athanor/training-core';
import type { Sampler, SampleContext } from './sampler';
import { fromUnit, isActive, type Params, type Space } from './space';

/** An independent stream per (seed, trial number): proposals do not depend on arrival order. */
export function trialRng(seed: number, number: number, salt = 0): Rng {
  return new Rng((((seed >>> 0) ^ Math.imul(salt + 1, 0x9e3779b1)) >>> 0) * 1048576 + (number % 1048576));
}

/** Draws every active parameter from its prior: uniform, or log-uniform on log domains. */
export function randomParams(space: Space, rng: Rng): Params {
  const out: Params = {};
  for (const p of space) if (isActive(p, out)) out[p.name] = fromUnit(p, rng.uniform());
  return out;
}

/** Independent uniform sampling (Bergstra & Bengio 2012). */
export function randomSampler(space: Space, seed: number): Sampler {
  return {
    needsHistory: false,
    size: Infinity,
    propose: ({ number }: SampleContext) => randomParams(space, trialRng(seed, number)),
  };
}
