import { Rng } from '@athanor/training-core';
import { describe, expect, it } from 'vitest';
import { NumericParzen } from './parzen-estimator';
import { MultivariateParzen } from './parzen-multivariate';
import type { Observation } from './sampler';
import type { Params, Space } from './space';
import { TPE_DEFAULTS, tpeSampler, type TpeOptions } from './tpe-sampler';
import { numericFrame } from './tpe-frame';

const space: Space = [
  { kind: 'double', name: 'x', low: -5, high: 5, log: false },
  { kind: 'double', name: 'lr', low: 1e-5, high: 1, log: true },
];
// Minimum at x = 1.3, lr = 10^-3.
const f = (p: Params) => (Number(p.x) - 1.3) ** 2 + (Math.log10(Number(p.lr)) + 3) ** 2;

function run(sp: Space, seed: number, n: number, options?: TpeOptions, fn = f): Observation[] {
  const sampler = tpeSampler(sp, seed, options);
  const history: Observation[] = [];
  for (let i = 0; i < n; i++) {
    const params = sampler.propose({ number: i, history })!;
    history.push({ number: i, params, loss: fn(params), pruned: false, step: 0 });
  }
  return history;
}

const uni: TpeOptions = { ...TPE_DEFAULTS, multivariate: false };
const mv: TpeOptions = { ...TPE_DEFAULTS, multivariate: true };

describe('TPE', () => {
  it('is deterministic per seed, univariate and multivariate', () => {
    for (const o of [uni, mv]) {
      const params = (seed: number) => run(space, seed, 40, o).map((h) => h.params);
      expect(params(5)).toEqual(params(5));
      expect(params(5).slice(10)).not.toEqual(params(6).slice(10));
    }
  });

  it('clips univariate bandwidths to [(high-low)/min(100, 1+n), high-low]', () => {
    // Ten observations in a tight cluster: the neighbour distances are far below the floor.
    const obs = Array.from({ length: 10 }, (_, i) => 0.5 + i * 1e-6);
    const p = new NumericParzen(obs, new Array<number>(10).fill(1), 0, 1, 1);
    const floor = 1 / Math.min(100, 1 + 11);
    for (const s of p.sigmas) expect(s).toBeGreaterThanOrEqual(floor - 1e-12);
    for (const s of p.sigmas) expect(s).toBeLessThanOrEqual(1);
  });

  it('clips multivariate bandwidths: Scott width, floor (high-low)/min(100, 1+n), ceiling high-low', () => {
    const dims = [
      { kind: 'numeric' as const, low: 0, high: 2, q: 0 },
      { kind: 'numeric' as const, low: -1, high: 1, q: 0 },
    ];
    const obs = (n: number) => Array.from({ length: n }, (_, i) => [(i % 7) / 4, (i % 5) / 3 - 0.5]);
    const ones = (n: number) => new Array<number>(n).fill(1);
    const scott = new MultivariateParzen(obs(20), ones(20), dims, 1, 0.2);
    expect(scott.sigmas[0]).toBeCloseTo(0.2 * 20 ** (-1 / 6) * 2, 12);
    const floored = new MultivariateParzen(obs(5000), ones(5000), dims, 1, 1e-6);
    expect(floored.sigmas).toEqual([2 / 100, 2 / 100]);
    const ceiled = new MultivariateParzen(obs(3), ones(3), dims, 1, 50);
    expect(ceiled.sigmas).toEqual([2, 2]);
  });

  it('multivariate density integrates to one, with a quantised dimension summing its cells', () => {
    const dims = [
      { kind: 'numeric' as const, low: 0, high: 1, q: 0 },
      { kind: 'numeric' as const, low: -0.5, high: 3.5, q: 1 },
      { kind: 'categorical' as const, n: 3 },
    ];
    const p = new MultivariateParzen(
      [
        [0.2, 1, 0],
        [0.7, 3, 2],
      ],
      [1, 1],
      dims,
      1,
    );
    let total = 0;
    const steps = 2000;
    for (let i = 0; i < steps; i++)
      for (let k = 0; k < 4; k++)
        for (let c = 0; c < 3; c++) total += Math.exp(p.logPdf([(i + 0.5) / steps, k, c])) / steps;
    expect(total).toBeCloseTo(1, 3);
  });

  it('models log domains in log space: proposals stay in bounds and concentrate near 10^-3', () => {
    for (const o of [uni, mv]) {
      const h = run(space, 2, 80, o);
      for (const { params } of h) {
        expect(Number(params.lr)).toBeGreaterThanOrEqual(1e-5);
        expect(Number(params.lr)).toBeLessThanOrEqual(1);
      }
      const late = h.slice(60).map((x) => Math.log10(Number(x.params.lr)));
      const med = [...late].sort((a, b) => a - b)[late.length >> 1];
      expect(Math.abs(med + 3)).toBeLessThan(0.75);
    }
    const frame = numericFrame({ kind: 'double', name: 'lr', low: 1e-5, high: 1, log: true });
    expect(frame.low).toBeCloseTo(Math.log(1e-5), 12);
    expect(frame.decode(frame.encode(3e-4))).toBeCloseTo(3e-4, 15);
  });

  it('multivariate keeps ints, steps, categoricals and conditional parameters legal', () => {
    const mixed: Space = [
      { kind: 'int', name: 'depth', low: 2, high: 10, log: false, step: 2 },
      { kind: 'int', name: 'width', low: 16, high: 512, log: true, step: 1 },
      { kind: 'categorical', name: 'opt', choices: ['sgd', 'adam'] },
      {
        kind: 'double',
        name: 'momentum',
        low: 0.5,
        high: 0.99,
        log: false,
        condition: { parent: 'opt', values: ['sgd'] },
      },
    ];
    const g = (p: Params) =>
      Math.abs(Number(p.depth) - 6) + Math.abs(Math.log2(Number(p.width)) - 7) + (p.opt === 'sgd' ? 0 : 1);
    const h = run(mixed, 3, 60, mv, g);
    for (const { params } of h) {
      expect([2, 4, 6, 8, 10]).toContain(params.depth);
      expect(Number.isInteger(params.width)).toBe(true);
      expect(Number(params.width)).toBeGreaterThanOrEqual(16);
      expect(Number(params.width)).toBeLessThanOrEqual(512);
      expect(['sgd', 'adam']).toContain(params.opt);
      expect(params.momentum !== undefined).toBe(params.opt === 'sgd');
    }
    expect(Math.min(...h.map((x) => x.loss))).toBeLessThan(1);
  });

  it('samples the multivariate estimator within bounds', () => {
    const dims = [{ kind: 'numeric' as const, low: 0, high: 1, q: 0 }];
    const p = new MultivariateParzen([[0.99], [0.01]], [1, 1], dims, 1);
    const rng = new Rng(1);
    for (let i = 0; i < 500; i++) {
      const [x] = p.sample(rng);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(1);
    }
  });
});
