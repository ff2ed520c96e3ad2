import { describe, expect, it } from 'vitest';
import { distinctSampler, isFiniteSpace, paramsKey } from './distinct-sampler';
import { randomSampler } from './random-sampler';
import type { Observation, Params, Sampler, Space } from './sampler';
import { tpeSampler, TPE_DEFAULTS } from './tpe-sampler';

const space: Space = [
  { name: 'batch_size', kind: 'discrete', values: [32, 64, 128, 256] },
  { name: 'scheduler', kind: 'categorical', choices: ['cosine', 'step', 'plateau'] },
  { name: 'init', kind: 'categorical', choices: ['kaiming', 'xavier'] },
];

/** Runs `n` trials one after another, every one finished before the next (loss from `f`). */
function run(sampler: Sampler, n: number, f: (p: Params) => number): Params[] {
  const taken: Params[] = [];
  const history: Observation[] = [];
  for (let number = 0; number < n; number++) {
    const p = sampler.propose({ number, history, taken })!;
    taken.push(p);
    history.push({ number, params: p, loss: f(p), pruned: false, step: 1 });
  }
  return taken;
}

const loss = (p: Params) =>
  Math.abs(Math.log2(Number(p.batch_size)) - 6) + (p.scheduler === 'cosine' ? 0 : 0.5);

describe('distinct points in finite spaces', () => {
  it('knows finite spaces', () => {
    expect(isFiniteSpace(space)).toBe(true);
    expect(isFiniteSpace([...space, { name: 'lr', kind: 'double', low: 0.1, high: 1, log: false }])).toBe(
      false,
    );
    expect(paramsKey({ b: 1, a: 'x' })).toBe(paramsKey({ a: 'x', b: 1 }));
  });

  it('TPE repeats a point of a 24-point space without it, and never with it, until the space is exhausted', () => {
    const tpe = () => tpeSampler(space, 3, { ...TPE_DEFAULTS, nStartupTrials: 4 });
    const distinct = (ps: Params[]) => new Set(ps.map(paramsKey)).size;
    // Without: TPE converges on the best point and proposes it again and again.
    expect(distinct(run(tpe(), 24, loss))).toBeLessThan(24);
    // With: 24 trials cover the 24 points, then repeats are allowed.
    const all = run(distinctSampler(tpe(), space, 3), 30, loss);
    expect(distinct(all.slice(0, 24))).toBe(24);
    expect(all).toHaveLength(30);
  });

  it('keeps the trials of one call apart while none has finished (running trials are not history)', () => {
    const sampler = distinctSampler(randomSampler(space, 9), space, 9);
    const taken: Params[] = [];
    for (let number = 0; number < 12; number++) taken.push(sampler.propose({ number, history: [], taken })!);
    expect(new Set(taken.map(paramsKey)).size).toBe(12);
  });

  it('is deterministic in (seed, number, history, taken)', () => {
    const a = run(distinctSampler(randomSampler(space, 5), space, 5), 10, loss);
    const b = run(distinctSampler(randomSampler(space, 5), space, 5), 10, loss);
    expect(a).toEqual(b);
  });
});
