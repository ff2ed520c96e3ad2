import { tuner } from '@athanor/contracts';
import { describe, expect, it } from 'vitest';
import { compileStudy } from '../study/compile-study';
import { enumerateGrid } from './grid-sampler';
import { Halton } from './halton';
import { materialize } from './materialize';
import { quasiRandomSampler } from './quasi-random-sampler';
import { randomSampler } from './random-sampler';
import type { Observation, Sampler } from './sampler';
import { Sobol } from './sobol';
import type { Space } from './space';
import { tpeSampler } from './tpe-sampler';

const stratified = (xs: number[], bins: number) =>
  new Set(xs.map((x) => Math.floor(x * bins + 1e-9))).size === bins;

describe('low-discrepancy sequences', () => {
  it('Sobol: the first 2^k points put one point in each of 2^k intervals, in every dimension, scrambled or not', () => {
    for (const shifts of [[], Array.from({ length: 16 }, (_, i) => (i * 0x9e3779b1) >>> 0)]) {
      const s = new Sobol(16, shifts);
      const pts = Array.from({ length: 64 }, (_, n) => s.point(n));
      for (let d = 0; d < 16; d++)
        expect(
          stratified(
            pts.map((p) => p[d]),
            64,
          ),
        ).toBe(true);
    }
  });

  it('Sobol: dimensions 1 and 2 form a (0, m, 2)-net: 16 points fill a 4x4 grid', () => {
    const s = new Sobol(2);
    const cells = new Set(
      Array.from({ length: 16 }, (_, n) => s.point(n)).map(
        ([x, y]) => `${Math.floor(x * 4)},${Math.floor(y * 4)}`,
      ),
    );
    expect(cells.size).toBe(16);
  });

  it('Halton: base-2 and base-3 coordinates stratify', () => {
    const h = new Halton(2);
    const pts = Array.from({ length: 81 }, (_, n) => h.point(n));
    expect(
      stratified(
        pts.slice(0, 64).map((p) => p[0]),
        64,
      ),
    ).toBe(true);
    expect(
      stratified(
        pts.map((p) => p[1]),
        81,
      ),
    ).toBe(true);
  });
});

const quad: Space = [
  { kind: 'double', name: 'x', low: -5, high: 5, log: false },
  { kind: 'double', name: 'y', low: 1e-4, high: 1, log: true },
];
const f = (p: Record<string, number | string>) =>
  (Number(p.x) - 1.3) ** 2 + (Math.log10(Number(p.y)) + 2.5) ** 2;

function run(sampler: Sampler, n: number): number {
  const history: Observation[] = [];
  for (let i = 0; i < n; i++) {
    const params = sampler.propose({ number: i, history })!;
    history.push({ number: i, params, loss: f(params), pruned: false, step: 0 });
  }
  return Math.min(...history.map((h) => h.loss));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

describe('samplers', () => {
  it('TPE beats random search on a quadratic over 10 seeds (median best of 60 trials)', () => {
    const seeds = Array.from({ length: 10 }, (_, i) => i + 1);
    const tpe = median(seeds.map((s) => run(tpeSampler(quad, s), 60)));
    const random = median(seeds.map((s) => run(randomSampler(quad, s), 60)));
    expect(tpe).toBeLessThan(random / 2);
  });

  it('is reproducible: same seed, same proposals; another seed, others', () => {
    const a = quasiRandomSampler(quad, 7, { sequence: 'sobol', scramble: true });
    const b = quasiRandomSampler(quad, 7, { sequence: 'sobol', scramble: true });
    const c = quasiRandomSampler(quad, 8, { sequence: 'sobol', scramble: true });
    expect(a.propose({ number: 5, history: [] })).toEqual(b.propose({ number: 5, history: [] }));
    expect(a.propose({ number: 5, history: [] })).not.toEqual(c.propose({ number: 5, history: [] }));
    expect(run(tpeSampler(quad, 3), 30)).toBe(run(tpeSampler(quad, 3), 30));
  });

  it('samples log domains log-uniformly and keeps ints and steps on their grid', () => {
    const space: Space = [
      { kind: 'double', name: 'lr', low: 1e-5, high: 1, log: true },
      { kind: 'int', name: 'depth', low: 2, high: 10, log: false, step: 2 },
      { kind: 'double', name: 'drop', low: 0, high: 0.5, log: false, step: 0.1 },
    ];
    const s = randomSampler(space, 1);
    const xs = Array.from({ length: 2000 }, (_, i) => s.propose({ number: i, history: [] })!);
    const belowMilli = xs.filter((p) => Number(p.lr) < 1e-3).length / xs.length;
    expect(belowMilli).toBeCloseTo(0.4, 1); // log-uniform: 2 of 5 decades lie below 1e-3
    expect(new Set(xs.map((p) => p.depth))).toEqual(new Set([2, 4, 6, 8, 10]));
    expect(new Set(xs.map((p) => p.drop))).toEqual(new Set([0, 0.1, 0.2, 0.3, 0.4, 0.5]));
  });

  it('grid: enumerates conditional parameters only where active, without duplicates', () => {
    const space: Space = [
      { kind: 'categorical', name: 'optimizer', choices: ['sgd', 'adam'] },
      {
        kind: 'discrete',
        name: 'optimizer.sgd.momentum',
        values: [0, 0.9],
        condition: { parent: 'optimizer', values: ['sgd'] },
      },
      { kind: 'double', name: 'optimizer.lr', low: 0.01, high: 1, log: true },
    ];
    const grid = enumerateGrid(space, 3)!;
    expect(grid).toHaveLength(3 * 3);
    expect(grid.filter((g) => g.optimizer === 'adam').every((g) => !('optimizer.sgd.momentum' in g))).toBe(
      true,
    );
    expect(grid.map((g) => g['optimizer.lr'])).toContain(0.1);
  });
});

const base = {
  optimizer: { sgd: { momentum: 0.9 }, lr: 0.1 },
  batchSize: 64,
  epochs: 10,
  dataset: { builtin: 'mnist' },
};

function spec(json: object) {
  return tuner.StudySpec.fromJSON({ objective: { metric: 'val_loss' }, baseConfig: base, ...json });
}

function violations(json: object): string[] {
  try {
    compileStudy(spec(json), () => 1);
  } catch (err) {
    return (err as { violations: { field: string }[] }).violations.map((v) => v.field);
  }
  return [];
}

describe('compileStudy', () => {
  it('names every bad field', () => {
    expect(
      violations({
        searchSpace: {
          parameters: [
            { name: 'optimizer.lr', doubleRange: { low: 1, high: 0.1 } },
            { name: 'optimizer.adam.weightDecay', doubleRange: { low: 0, high: 1, log: true } },
            { name: 'optimizer.nope', doubleRange: { low: 0, high: 1 } },
            { name: 'label_smoothing', intRange: { low: 5, high: 1 } },
          ],
        },
      }),
    ).toEqual([
      'spec.searchSpace.parameters[0].doubleRange.high',
      'spec.searchSpace.parameters[1].doubleRange.low',
      'spec.searchSpace.parameters[2].name',
      'spec.searchSpace.parameters[3].intRange.high',
    ]);
  });

  it('rejects non-powers of two where the policy demands them, and a searched lr under a rule', () => {
    expect(
      violations({
        scaling: { rule: 'SCALING_RULE_LINEAR', referenceBatchSize: 64, baseLr: 0.1 },
        searchSpace: {
          parameters: [
            { name: 'batch_size', discrete: { values: [32, 48, 128] } },
            { name: 'optimizer.lr', doubleRange: { low: 0.01, high: 1 } },
          ],
        },
      }),
    ).toEqual(['spec.searchSpace.parameters[0].discrete.values[1]', 'spec.searchSpace.parameters[1].name']);
    expect(violations({ scaling: { rule: 'SCALING_RULE_SQRT' } })).toEqual([
      'spec.scaling.referenceBatchSize',
      'spec.scaling.baseLr',
    ]);
  });

  it('fills defaults: TPE, the seed, the direction from the metric name', () => {
    const c = compileStudy(
      tuner.StudySpec.fromJSON({ objective: { metric: 'val_top1' }, baseConfig: base }),
      () => 42,
    );
    expect(c.spec.algorithm?.kind?.$case).toBe('tpe');
    expect(c.seed).toBe(42);
    expect(c.direction).toBe('MAXIMIZE');
  });

  it('derives the LR from the batch size with a warm-up, and drops batch sizes over the memory budget', () => {
    const c = compileStudy(
      spec({
        scaling: {
          rule: 'SCALING_RULE_LINEAR',
          referenceBatchSize: 64,
          baseLr: 0.1,
          warmupEpochs: 5,
          memoryBudgetBytes: 1_000_000,
          perSampleBytes: 4000,
        },
        searchSpace: {
          parameters: [
            { name: 'batch_size', intRange: { low: 16, high: 1024 } },
            { name: 'optimizer', categorical: { choices: ['sgd', 'adam'] } },
            {
              name: 'optimizer.sgd.momentum',
              doubleRange: { low: 0.5, high: 0.99 },
              condition: { parent: 'optimizer', parentValues: ['sgd'] },
            },
          ],
        },
      }),
      () => 1,
    );
    expect(c.space[0]).toMatchObject({ kind: 'discrete', values: [16, 32, 64, 128] });
    const m = materialize(c, { batch_size: 128, optimizer: 'sgd', 'optimizer.sgd.momentum': 0.8 });
    expect(m.config.batchSize).toBe(128);
    expect(m.config.optimizer?.lr).toBeCloseTo(0.2, 12);
    expect(m.config.optimizer?.algorithm).toEqual({ $case: 'sgd', value: { momentum: 0.8 } });
    expect(m.config.warmup).toMatchObject({ length: { $case: 'epochs', value: 5 }, startFactor: 0.5 });
    const adam = materialize(c, { batch_size: 32, optimizer: 'adam' });
    expect(adam.config.optimizer?.algorithm?.$case).toBe('adam');
    expect(adam.config.optimizer?.lr).toBeCloseTo(0.05, 12);
    expect(adam.config.warmup).toBeUndefined();
  });
});
