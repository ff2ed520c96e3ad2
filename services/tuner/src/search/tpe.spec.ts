import { Rng } from '@athanor/training-core';
import { describe, expect, it } from 'vitest';
import { NumericParzen } from './parzen-estimator';
import { clipBandwidth, neighbourBandwidths } from './parzen-bandwidth';
import { MultivariateParzen } from './parzen-multivariate';
import type { Observation } from './sampler';
import type { Params, Space } from './space';
import { goodCount, TPE_DEFAULTS, tpeSampler, type TpeOptions } from './tpe-sampler';
import { badWeights, goodWeights, improvementThreshold, recencyWeights } from './tpe-weights';
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

function expectClose(actual: ArrayLike<number>, expected: readonly number[]): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((x, i) => expect(actual[i]).toBeCloseTo(x, 12));
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
    // The prior's centre (0.5) is no neighbour: a lone trial at 0.45 measures to the far bound.
    const lone = new NumericParzen([0.45], [1], 0, 1, 1);
    expect(lone.mus).toEqual([0.45, 0.5]);
    expect(lone.sigmas[0]).toBeCloseTo(0.55, 12);
    expect(lone.sigmas[1]).toBe(1);
  });

  it('clips Scott-rule multivariate bandwidths: Scott width, floor (high-low)/min(100, 1+n), ceiling high-low', () => {
    const dims = [
      { kind: 'numeric' as const, low: 0, high: 2, q: 0 },
      { kind: 'numeric' as const, low: -1, high: 1, q: 0 },
    ];
    const obs = (n: number) => Array.from({ length: n }, (_, i) => [(i % 7) / 4, (i % 5) / 3 - 0.5]);
    const ones = (n: number) => new Array<number>(n).fill(1);
    const widths = (p: MultivariateParzen) => [p.bandwidth(0, 0), p.bandwidth(0, 1)];
    const scott = new MultivariateParzen(obs(20), ones(20), dims, 1, { kind: 'scott', factor: 0.2 });
    expect(scott.bandwidth(0, 0)).toBeCloseTo(0.2 * 20 ** (-1 / 6) * 2, 12);
    const floored = new MultivariateParzen(obs(5000), ones(5000), dims, 1, { kind: 'scott', factor: 1e-6 });
    expect(widths(floored)).toEqual([2 / 100, 2 / 100]);
    const ceiled = new MultivariateParzen(obs(3), ones(3), dims, 1, { kind: 'scott', factor: 50 });
    expect(widths(ceiled)).toEqual([2, 2]);
  });

  it('takes neighbour-distance widths, the outermost looking inwards, clipped by the magic clip', () => {
    // Sorted 0.2, 0.5, 0.6 in [0, 1]: 0.2 looks right (0.3), 0.5 takes the farther gap (0.3), 0.6
    // looks left (0.1) and is raised to the floor 1 / min(100, 1 + 4 kernels) = 0.2.
    expectClose(neighbourBandwidths([0.5, 0.6, 0.2], 0, 1), [0.3, 0.2, 0.3]);
    // One centre measures to the farther bound; none gives none.
    expectClose(neighbourBandwidths([0.3], 0, 1), [0.7]);
    expect(neighbourBandwidths([], 0, 1)).toHaveLength(0);
    // Ties take consecutive places in input order: the first 5 sees 0 to its left (raised to the floor
    // 32/6), the second sees 30 to its right.
    expectClose(neighbourBandwidths([5, 0, 5, 30], -1, 31), [32 / 6, 32 / 6, 25, 25]);
    // The width of a centre does not depend on where it sits in the input.
    const xs = Array.from({ length: 40 }, (_, i) => Math.sin(i * 12.9898) * 3);
    const perm = xs.map((_, i) => (i * 17) % 40);
    const a = neighbourBandwidths(xs, -3, 3);
    const b = neighbourBandwidths(
      perm.map((i) => xs[i]),
      -3,
      3,
    );
    perm.forEach((i, k) => expect(b[k]).toBe(a[i]));
    expect(clipBandwidth(1e-9, 0, 10, 500)).toBe(0.1);
    expect(clipBandwidth(99, 0, 10, 5)).toBe(10);
  });

  it('gives each joint kernel the neighbour widths of its own dimension, the prior the whole range', () => {
    const dims = [
      { kind: 'numeric' as const, low: 0, high: 1, q: 0 },
      { kind: 'categorical' as const, n: 3 },
      { kind: 'numeric' as const, low: -10, high: 10, q: 0 },
    ];
    const obs = [
      [0.1, 0, 9],
      [0.15, 2, -9],
      [0.9, 1, 0],
    ];
    const p = new MultivariateParzen(obs, [1, 1, 1], dims, 1);
    const x = neighbourBandwidths([0.1, 0.15, 0.9], 0, 1);
    const z = neighbourBandwidths([9, -9, 0], -10, 10);
    for (let k = 0; k < 3; k++) {
      expect(p.bandwidth(k, 0)).toBe(x[k]);
      expect(p.bandwidth(k, 2)).toBe(z[k]);
    }
    expect([p.bandwidth(3, 0), p.bandwidth(3, 2)]).toEqual([1, 20]);
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

const obs = (number: number, loss: number, pruned = false): Observation => ({
  number,
  params: {},
  loss,
  pruned,
  step: pruned ? 3 : 0,
});

describe('TPE split and weights', () => {
  it('forms l(x) from the best ceil(gamma n) trials, at most 25', () => {
    expect([1, 10, 11, 100, 1000].map((n) => goodCount(n))).toEqual([1, 2, 2, 15, 25]);
    expect([10, 100, 1000].map((n) => goodCount(n, 0.1))).toEqual([1, 10, 25]);
  });

  it("recency weights are Optuna's default_weights: a ramp from 1/n to 1, then 25 ones", () => {
    expect(recencyWeights(24)).toEqual(new Array<number>(24).fill(1));
    // numpy.linspace(1/30, 1, 5) followed by 25 ones.
    const w = recencyWeights(30);
    expectClose(w.slice(0, 5), [1 / 30, 0.275, 0.5166666666666667, 0.7583333333333333, 1]);
    expect(w.slice(5)).toEqual(new Array<number>(25).fill(1));
    expect(recencyWeights(26)).toEqual([1 / 26, ...new Array<number>(25).fill(1)]);
  });

  it('improvement weights: each good trial by its margin under the best bad one, averaging 1', () => {
    const bad = [obs(0, 5), obs(1, 0.5, true), obs(2, 3)];
    // A pruned trial's intermediate loss is no completed result: the threshold is 3, not 0.5.
    expect(improvementThreshold(bad)).toBe(3);
    const good = [obs(3, 1), obs(4, 2.5), obs(5, 3)];
    // Margins 2, 0.5 and 1e-12 (a tie keeps a sliver), scaled to average 1.
    const w = goodWeights(good, 'improvement', 3, 2);
    const mean = (2.5 + 1e-12) / 3;
    expectClose(w.weights, [2 / mean, 0.5 / mean, 1e-12 / mean]);
    expect(w.prior).toBe(2);
    // The losses' scale does not matter.
    const scaled = goodWeights([obs(3, 1e-3), obs(4, 2.5e-3)], 'improvement', 3e-3, 2);
    expectClose(scaled.weights, [1.6, 0.4]);
    expect(scaled.prior).toBe(2);
    expect(badWeights(bad, 'improvement', 2)).toEqual({ weights: [1, 1, 1], prior: 2 });
    // No threshold, or a pruned good trial: equal weights.
    expect(goodWeights(good, 'improvement', Infinity, 1)).toEqual({ weights: [1, 1, 1], prior: 1 });
    expect(goodWeights([obs(3, 1), obs(4, 2, true)], 'improvement', 3, 1).weights).toEqual([1, 1]);
    expect(goodWeights(good, 'recency', 3, 1)).toEqual({ weights: [1, 1, 1], prior: 1 });
  });

  it('improvement weights pull proposals towards the best trial', () => {
    // Ten trials on a line: the two good ones (gamma 0.15 of 10 = 2) are at x = 1 (loss 0) and x = -1
    // (loss 0.9), the bad ones at loss 1. Improvement weights (1 and 0.1) favour x = 1; equal weights
    // split the proposals.
    const line: Space = [{ kind: 'double', name: 'x', low: -5, high: 5, log: false }];
    const xs = [1, -1, 4.5, -4.5, 3.5, -3.5, 2.5, -2.5, 4, -4];
    const losses = [0, 0.9, 1, 1, 1, 1, 1, 1, 1, 1];
    const history = xs.map((x, i) => ({ ...obs(i, losses[i]), params: { x } }));
    const share = (o: TpeOptions) => {
      const proposals = Array.from({ length: 400 }, (_, s) =>
        tpeSampler(line, s, o).propose({ number: 10, history })!,
      );
      return proposals.filter((p) => Number(p.x) > 0).length / proposals.length;
    };
    expect(share(TPE_DEFAULTS)).toBeGreaterThan(0.9);
    expect(share({ ...TPE_DEFAULTS, weights: 'recency' })).toBeLessThan(0.65);
  });

  it('proposes from histories of pruned trials (equal weights when no completed trial sets the bar)', () => {
    const sp: Space = [{ kind: 'double', name: 'x', low: 0, high: 1, log: false }];
    const history = Array.from({ length: 12 }, (_, i) => ({
      ...obs(i, i / 12, i !== 3),
      params: { x: ((i * 7) % 12) / 12 },
    }));
    for (const seed of [1, 2, 3]) {
      const a = tpeSampler(sp, seed).propose({ number: 12, history })!;
      expect(a).toEqual(tpeSampler(sp, seed).propose({ number: 12, history }));
      expect(Number(a.x)).toBeGreaterThanOrEqual(0);
      expect(Number(a.x)).toBeLessThanOrEqual(1);
    }
  });
});
