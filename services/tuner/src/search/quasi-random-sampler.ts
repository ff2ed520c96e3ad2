import { Rng } from '@athanor/training-core';
import { Halton } from './halton';
import type { Sampler, SampleContext } from './sampler';
import { Sobol, SOBOL_MAX_DIMENSIONS } from './sobol';
import { fromUnit, isActive, type Params, type Space } from './space';

/**
 * Low-discrepancy search: trial n takes the n-th point of a Sobol' or Halton sequence, one dimension
 * per parameter (conditional ones included, used when active). Spaces wider than the Sobol table
 * fall back to Halton.
 */
export function quasiRandomSampler(
  space: Space,
  seed: number,
  options: { sequence: 'sobol' | 'halton'; scramble: boolean },
): Sampler {
  const rng = new Rng(seed >>> 0);
  const d = Math.max(1, space.length);
  const useSobol = options.sequence === 'sobol' && d <= SOBOL_MAX_DIMENSIONS;
  const shifts = Array.from({ length: d }, () => (options.scramble ? rng.nextUint32() : 0));
  const generator = useSobol ? new Sobol(d, shifts) : new Halton(d, options.scramble ? rng : undefined);
  // The unscrambled sequences start at the origin (every lower bound at once): skip it.
  const offset = options.scramble ? 0 : 1;
  return {
    needsHistory: false,
    size: Infinity,
    propose({ number }: SampleContext): Params {
      const u = generator.point(number + offset);
      const out: Params = {};
      space.forEach((p, i) => {
        if (isActive(p, out)) out[p.name] = fromUnit(p, u[i]);
      });
      return out;
    },
  };
}
