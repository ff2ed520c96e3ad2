import { Rng } from '@athanor/training-core';
import { enumerateGrid } from './grid-sampler';
import type { Params, SampleContext, Sampler, Space } from './sampler';

/** Fresh draws from the wrapped sampler before falling back to an untried point. */
const REDRAWS = 16;
/** Spaces up to this many points are enumerated for the fallback (larger ones rarely repeat). */
const MAX_ENUMERATED = 100_000;

/** Whether every parameter takes finitely many values (discrete and categorical only). */
export function isFiniteSpace(space: Space): boolean {
  return space.length > 0 && space.every((p) => p.kind === 'discrete' || p.kind === 'categorical');
}

/** One string per distinct assignment of the active parameters. */
export function paramsKey(params: Params): string {
  return JSON.stringify(
    Object.keys(params)
      .sort()
      .map((k) => [k, params[k]]),
  );
}

/**
 * In a finite space, proposes points no trial of the study has taken yet, until every point has
 * been taken. Training is seeded, so a repeated configuration costs a whole trial and teaches
 * nothing; random and TPE repeat freely in small spaces (the quick start's 24 points saw three
 * copies of one in ten trials), and running trials are not in TPE's history at all. The wrapped
 * sampler is asked again with other draws (its proposals are a function of the trial number); if
 * all of them repeat, the first untaken point in a seeded order is used. Once the space is
 * exhausted (a budget larger than the space), repeats are allowed.
 */
export function distinctSampler(inner: Sampler, space: Space, seed: number): Sampler {
  const points = enumerateGrid(space, 1);
  const size = points && points.length <= MAX_ENUMERATED ? points.length : Infinity;
  const order = points && size !== Infinity ? new Rng(seed >>> 0).permutation(points.length) : [];
  return {
    needsHistory: inner.needsHistory,
    needsTaken: true,
    size: inner.size,
    propose(context: SampleContext): Params | undefined {
      const taken = new Set((context.taken ?? []).map(paramsKey));
      if (taken.size >= size) return inner.propose(context);
      let first: Params | undefined;
      for (let k = 0; k < REDRAWS; k++) {
        // Another trial number gives the sampler other random draws, with the same history.
        const proposed = inner.propose(
          k === 0 ? context : { ...context, number: context.number + k * 1_000_003 },
        );
        if (proposed === undefined) return undefined;
        if (!taken.has(paramsKey(proposed))) return proposed;
        first ??= proposed;
      }
      const untaken = order.map((i) => points![i]).find((p) => !taken.has(paramsKey(p)));
      return untaken ?? first;
    },
  };
}
