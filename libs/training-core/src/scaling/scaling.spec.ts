import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors';
import { previewSchedule, type SchedulerSpec } from '../schedulers';
import { isPowerOfTwo, proposeBatchSizes } from './batch-size';
import { explainScaling } from './explain-scaling';
import { scaleLearningRate } from './lr-scaling';
import { composeWarmup } from './warmup';

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e.violations[0].field;
    throw e;
  }
  return 'no error';
}

const close = (actual: number[], expected: number[]) => {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => expect(a).toBeCloseTo(expected[i], 12));
};

describe('scaleLearningRate', () => {
  it('linear: lr * B / B_base (Goyal et al.: 0.1 at 256 -> 0.4 at 1024)', () => {
    expect(
      scaleLearningRate({ baseLr: 0.1, baseBatchSize: 256, batchSize: 1024, rule: 'linear' }),
    ).toBeCloseTo(0.4, 15);
    expect(scaleLearningRate({ baseLr: 0.1, baseBatchSize: 256, batchSize: 64, rule: 'linear' })).toBeCloseTo(
      0.025,
      15,
    );
  });

  it('sqrt: lr * sqrt(B / B_base) (Krizhevsky: x8 batch -> x2.83 LR)', () => {
    expect(
      scaleLearningRate({ baseLr: 0.01, baseBatchSize: 128, batchSize: 1024, rule: 'sqrt' }),
    ).toBeCloseTo(0.01 * Math.sqrt(8), 15);
  });

  it('names the bad field', () => {
    expect(
      fieldOf(() => scaleLearningRate({ baseLr: 0, baseBatchSize: 1, batchSize: 2, rule: 'linear' })),
    ).toBe('baseLr');
    expect(
      fieldOf(() => scaleLearningRate({ baseLr: 0.1, baseBatchSize: 0, batchSize: 2, rule: 'linear' })),
    ).toBe('baseBatchSize');
    expect(
      fieldOf(() => scaleLearningRate({ baseLr: 0.1, baseBatchSize: 8, batchSize: 2.5, rule: 'linear' })),
    ).toBe('batchSize');
    expect(
      fieldOf(() =>
        scaleLearningRate({ baseLr: 0.1, baseBatchSize: 8, batchSize: 2, rule: 'cube' as never }),
      ),
    ).toBe('rule');
  });
});

describe('explainScaling and composeWarmup', () => {
  it('warms up from base_lr to the scaled LR over E epochs, then holds it', () => {
    const e = explainScaling({
      baseLr: 0.1,
      baseBatchSize: 256,
      batchSize: 1024,
      rule: 'linear',
      warmupEpochs: 5,
    });
    expect(e.scaledLr).toBeCloseTo(0.4, 15);
    expect(e.warmupUnit).toBe('epoch');
    expect(e.warmup).toEqual({
      sequential: {
        schedulers: [
          { linear: { startFactor: 0.25, endFactor: 1, totalIters: 5 } },
          { constant: { factor: 1, totalIters: 1 } },
        ],
        milestones: [5],
      },
    });
    expect(e.reasoning).toMatch(/Goyal et al\. 2017.*256 -> 1024.*0\.1 -> 0\.4.*5 epochs/);
    // The schedule engine (PyTorch's semantics) turns it into the ramp Goyal et al. describe.
    close(previewSchedule(e.warmup!, e.scaledLr, 8), [0.1, 0.16, 0.22, 0.28, 0.34, 0.4, 0.4, 0.4]);
  });

  it('counts the warm-up in steps when steps per epoch are given', () => {
    const e = explainScaling({
      baseLr: 0.1,
      baseBatchSize: 32,
      batchSize: 128,
      rule: 'sqrt',
      warmupEpochs: 0.5,
      stepsPerEpoch: 10,
    });
    expect(e.scaledLr).toBeCloseTo(0.2, 15);
    expect(e.warmupUnit).toBe('step');
    close(previewSchedule(e.warmup!, e.scaledLr, 7), [0.1, 0.12, 0.14, 0.16, 0.18, 0.2, 0.2]);
    expect(e.reasoning).toMatch(/Krizhevsky 2014.*5 steps/);
  });

  it('composes with a main schedule: it starts at the milestone from the scaled LR', () => {
    const main: SchedulerSpec = { step: { stepSize: 2, gamma: 0.5 } };
    const e = explainScaling({
      baseLr: 0.1,
      baseBatchSize: 64,
      batchSize: 128,
      rule: 'linear',
      warmupEpochs: 2,
      mainSchedule: main,
    });
    close(previewSchedule(e.warmup!, e.scaledLr, 7), [0.1, 0.15, 0.2, 0.2, 0.1, 0.1, 0.05]);
  });

  it('flattens a sequential main schedule, shifting its milestones', () => {
    const main: SchedulerSpec = {
      sequential: {
        schedulers: [{ constant: { factor: 0.5, totalIters: 10 } }, { exponential: { gamma: 0.9 } }],
        milestones: [3],
      },
    };
    expect(composeWarmup(main, { startFactor: 0.5, totalIters: 2 })).toEqual({
      sequential: {
        schedulers: [
          { linear: { startFactor: 0.5, endFactor: 1, totalIters: 2 } },
          { constant: { factor: 0.5, totalIters: 10 } },
          { exponential: { gamma: 0.9 } },
        ],
        milestones: [2, 5],
      },
    });
  });

  it('chains instead when asked: the main schedule keeps its own clock', () => {
    const spec = composeWarmup(
      { exponential: { gamma: 0.5 } },
      { startFactor: 0.5, totalIters: 2 },
      'chained',
    );
    expect(spec).toEqual({
      chained: {
        schedulers: [
          { linear: { startFactor: 0.5, endFactor: 1, totalIters: 2 } },
          { exponential: { gamma: 0.5 } },
        ],
      },
    });
    // lr = 1 * linear factor (0.5, 0.75, 1, ...) * 0.5^t
    close(previewSchedule(spec, 1, 4), [0.5, 0.375, 0.25, 0.125]);
  });

  it('gives no warm-up when the LR does not grow or none is asked for', () => {
    expect(
      explainScaling({ baseLr: 0.1, baseBatchSize: 256, batchSize: 64, rule: 'linear', warmupEpochs: 5 })
        .warmup,
    ).toBeNull();
    const same = explainScaling({ baseLr: 0.1, baseBatchSize: 256, batchSize: 1024, rule: 'linear' });
    expect(same.warmup).toBeNull();
    expect(same.reasoning).toMatch(/no warm-up was asked for/);
  });

  it('rejects what PyTorch cannot compose, naming the field', () => {
    expect(fieldOf(() => composeWarmup({ reduceOnPlateau: {} }, { startFactor: 0.5, totalIters: 2 }))).toBe(
      'mainSchedule',
    );
    expect(
      fieldOf(() =>
        composeWarmup(
          { chained: { schedulers: [{ exponential: { gamma: 0.5 } }] } },
          { startFactor: 0.5, totalIters: 2 },
        ),
      ),
    ).toBe('mainSchedule');
    expect(
      fieldOf(() => composeWarmup({ step: { stepSize: 0 } }, { startFactor: 0.5, totalIters: 2 })),
    ).toMatch(/^mainSchedule/);
    expect(fieldOf(() => composeWarmup(null, { startFactor: 2, totalIters: 2 }))).toBe('warmup.startFactor');
    expect(fieldOf(() => composeWarmup(null, { startFactor: 0.5, totalIters: 0 }))).toBe('warmup.totalIters');
    expect(
      fieldOf(() =>
        explainScaling({ baseLr: 0.1, baseBatchSize: 8, batchSize: 16, rule: 'linear', warmupEpochs: 1.5 }),
      ),
    ).toBe('warmupEpochs');
    expect(
      fieldOf(() =>
        explainScaling({
          baseLr: 0.1,
          baseBatchSize: 8,
          batchSize: 16,
          rule: 'linear',
          warmupEpochs: 1,
          stepsPerEpoch: 0,
        }),
      ),
    ).toBe('stepsPerEpoch');
  });
});

describe('proposeBatchSizes', () => {
  it('lists the powers of two from 16 (default) to max', () => {
    expect(proposeBatchSizes({ max: 256 })).toEqual([16, 32, 64, 128, 256]);
    expect(proposeBatchSizes({ min: 20, max: 100 })).toEqual([32, 64]);
  });

  it('keeps only what fits the memory budget: fixed + B * perSample <= budget', () => {
    const MiB = 2 ** 20;
    expect(
      proposeBatchSizes({
        max: 1024,
        perSampleBytes: MiB,
        fixedBytes: 100 * MiB,
        memoryBudgetBytes: 228 * MiB,
      }),
    ).toEqual([16, 32, 64, 128]);
    expect(
      proposeBatchSizes({
        max: 1024,
        perSampleBytes: MiB,
        fixedBytes: 100 * MiB,
        memoryBudgetBytes: 110 * MiB,
      }),
    ).toEqual([]);
  });

  it('rejects bad bounds naming the field', () => {
    expect(fieldOf(() => proposeBatchSizes({ min: 64, max: 32 }))).toBe('min');
    expect(fieldOf(() => proposeBatchSizes({ max: 100, requirePowerOfTwo: true }))).toBe('max');
    expect(fieldOf(() => proposeBatchSizes({ min: 0, max: 32 }))).toBe('min');
    expect(fieldOf(() => proposeBatchSizes({ max: 32, perSampleBytes: 10 }))).toBe('memoryBudgetBytes');
    expect(fieldOf(() => proposeBatchSizes({ max: 32, perSampleBytes: -1, memoryBudgetBytes: 10 }))).toBe(
      'perSampleBytes',
    );
  });

  it('knows powers of two', () => {
    expect([1, 2, 16, 1024, 2 ** 40].every(isPowerOfTwo)).toBe(true);
    expect([0, 3, 24, -2, 0.5].some(isPowerOfTwo)).toBe(false);
  });
});
