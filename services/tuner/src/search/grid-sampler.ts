import { Rng } from '@athanor/training-core';
import type { Sampler, SampleContext } from './sampler';
import {
  cardinality,
  fromUnit,
  isActive,
  roundStep,
  type Param,
  type Params,
  type ParamValue,
  type Space,
} from './space';

/** Largest grid the tuner enumerates; a bigger one is INVALID_ARGUMENT (use random or TPE). */
export const MAX_GRID_POINTS = 100_000;

/** The grid values of one parameter: every value of finite domains, `points` for continuous ones. */
export function gridValues(p: Param, points: number): ParamValue[] {
  if (p.kind === 'categorical') return [...p.choices];
  if (p.kind === 'discrete') return [...p.values];
  const n = cardinality(p);
  if (Number.isFinite(n) && n <= Math.max(points, 1000)) {
    const step = p.kind === 'int' ? p.step : p.step!;
    return Array.from({ length: n }, (_, k) =>
      p.kind === 'int' ? p.low + k * step : roundStep(p.low + k * step, step),
    );
  }
  if (points === 1) return [fromUnit(p, 0.5)];
  // Endpoints included: linear or geometric spacing (log domains).
  const values = Array.from({ length: points }, (_, k) => {
    const t = k / (points - 1);
    const x = p.log
      ? Math.exp(Math.log(p.low) + t * (Math.log(p.high) - Math.log(p.low)))
      : p.low + t * (p.high - p.low);
    // 12 significant digits: exp(log(x)) is not exact, and 0.010000000000000005 reads badly.
    return p.kind === 'int' ? Math.round(x) : Number(x.toPrecision(12));
  });
  return [...new Set(values)];
}

/** Every combination, inactive conditional parameters left out (so no duplicates); undefined if too large. */
export function enumerateGrid(space: Space, points: number): Params[] | undefined {
  let grid: Params[] = [{}];
  for (const p of space) {
    const values = gridValues(p, points);
    const next: Params[] = [];
    for (const partial of grid) {
      if (!isActive(p, partial)) {
        next.push(partial);
        continue;
      }
      for (const v of values) next.push({ ...partial, [p.name]: v });
      if (next.length > MAX_GRID_POINTS) return undefined;
    }
    grid = next;
  }
  return grid;
}

/** Exhaustive grid search: trial n is the n-th grid point (in a seeded order with shuffle). */
export function gridSampler(
  space: Space,
  seed: number,
  options: { points: number; shuffle: boolean },
): Sampler {
  const grid = enumerateGrid(space, options.points) ?? [];
  const order = options.shuffle ? new Rng(seed >>> 0).permutation(grid.length) : grid.map((_, i) => i);
  return {
    needsHistory: false,
    size: grid.length,
    propose: ({ number }: SampleContext) => (number < grid.length ? grid[order[number]] : undefined),
  };
}
