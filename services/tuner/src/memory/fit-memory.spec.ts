import { modelbuilder, training, tuner } from '@athanor/contracts';
import { planModel, summarizePlan } from '@athanor/models';
import { describe, expect, it } from 'vitest';
import { NO_SCALING } from '../search/scaling-policy';
import { compileStudy } from '../study/compile-study';
import { fitToBudget, memoryFloor, neverFits } from './fit-memory';
import { bytesAt, largestBatchWithin, memoryCostOf } from './memory-cost';

const MODEL = { spec: { name: 'wide', mlp: { widths: [512, 512] } } };
const baseConfig = {
  model: MODEL,
  dataset: { name: 'mnist' },
  optimizer: { sgd: { momentum: 0.9 }, lr: 0.1 },
  batchSize: 64,
  epochs: 1,
};
const BATCHES = [16, 32, 64, 128, 256, 512];

const study = (over: Record<string, unknown> = {}) =>
  compileStudy(
    tuner.StudySpec.fromJSON({
      name: 'fit',
      objective: { metric: 'val_loss' },
      baseConfig,
      scaling: { rule: 'SCALING_RULE_LINEAR', referenceBatchSize: 64, baseLr: 0.1 },
      searchSpace: {
        parameters: [
          { name: 'batch_size', discrete: { values: BATCHES } },
          { name: 'optimizer.sgd.momentum', doubleRange: { low: 0.8, high: 0.99 } },
        ],
      },
      algorithm: { random: {}, seed: 1 },
      ...over,
    }),
    () => 1,
  );

const cost = memoryCostOf(training.TrainConfig.fromJSON(baseConfig), NO_SCALING)!;
/** A budget that fits batch sizes up to `batch` and not the next power of two. */
const budgetFor = (batch: number) => bytesAt(cost, batch) + cost.perSampleBytes / 2;

describe('memory estimate of a trial', () => {
  it("is model-builder's summary estimate, the input shape and classes taken from a built-in dataset", () => {
    const { plan } = planModel(modelbuilder.ModelSpec.fromJSON(MODEL.spec), {
      inputShape: [28, 28, 1],
      numClasses: 10,
    });
    for (const batchSize of [1, 64, 512])
      expect(bytesAt(cost, batchSize)).toBe(summarizePlan(plan!, { batchSize }).estimatedTrainingMemoryBytes);
    expect(cost.source).toBe('model summary');
    expect(largestBatchWithin(cost, budgetFor(128))).toBeGreaterThanOrEqual(128);
    expect(largestBatchWithin(cost, budgetFor(128))).toBeLessThan(256);
    expect(largestBatchWithin(cost, cost.fixedBytes - 1)).toBe(0);
  });

  it("takes the study's own per-sample and fixed bytes when given, and cannot tell for an artifact", () => {
    const policy = { ...NO_SCALING, perSampleBytes: 1000, fixedBytes: 5000 };
    expect(memoryCostOf(training.TrainConfig.fromJSON(baseConfig), policy)).toMatchObject({
      fixedBytes: 5000,
      perSampleBytes: 1000,
      source: 'scaling policy',
    });
    const artifact = training.TrainConfig.fromJSON({ ...baseConfig, model: { artifactUri: 'file:///m' } });
    expect(memoryCostOf(artifact, NO_SCALING)).toBeUndefined();
    const files = training.TrainConfig.fromJSON({
      ...baseConfig,
      model: { spec: { name: 'm', mlp: { widths: [8] } } },
      dataset: { files: { format: 'FILE_FORMAT_CSV', trainPath: 'a.csv' } },
    });
    expect(memoryCostOf(files, NO_SCALING)).toBeUndefined();
  });
});

describe('fitting a new suggestion to a worker', () => {
  it('caps the batch size of a random or TPE proposal to the largest that fits, and rescales its lr', () => {
    const s = study();
    const fitted = fitToBudget(s, { batch_size: 512, 'optimizer.sgd.momentum': 0.9 }, budgetFor(64));
    expect(fitted.tooBig).toBeUndefined();
    expect(fitted.params).toEqual({ batch_size: 64, 'optimizer.sgd.momentum': 0.9 });
    expect(fitted.memoryBytes).toBe(bytesAt(cost, 64));
    expect(fitted.materialized.config.batchSize).toBe(64);
    expect(fitted.materialized.scaling?.lr).toBeCloseTo(0.1); // linear rule at the reference batch
  });

  it('leaves a proposal that fits, or any proposal without a budget, as it is', () => {
    const s = study();
    const small = fitToBudget(s, { batch_size: 32, 'optimizer.sgd.momentum': 0.9 }, budgetFor(64));
    expect(small.params.batch_size).toBe(32);
    const any = fitToBudget(s, { batch_size: 512, 'optimizer.sgd.momentum': 0.9 }, 0);
    expect(any).toMatchObject({ params: { batch_size: 512 }, memoryBytes: bytesAt(cost, 512) });
  });

  it('keeps a grid point as it is and says why it does not fit', () => {
    const s = study({ algorithm: { grid: {}, seed: 1 } });
    const fitted = fitToBudget(s, { batch_size: 512, 'optimizer.sgd.momentum': 0.9 }, budgetFor(64));
    expect(fitted.params.batch_size).toBe(512);
    expect(fitted.tooBig).toMatch(
      /needs about .* MiB to train at batch size 512 \(model summary\), over the worker's memory budget/,
    );
  });

  it('caps an integer batch-size range on its step', () => {
    const s = study({
      scaling: undefined,
      searchSpace: { parameters: [{ name: 'batch_size', intRange: { low: 10, high: 500, step: 10 } }] },
    });
    const limit = largestBatchWithin(cost, budgetFor(100));
    const fitted = fitToBudget(s, { batch_size: 480 }, budgetFor(100));
    expect(fitted.params.batch_size).toBe(Math.floor(limit / 10) * 10);
  });
});

describe('a study no worker of a budget can ever run', () => {
  it('is told by its smallest batch size, with the numbers', () => {
    const s = study();
    expect(memoryFloor(s)).toMatchObject({ batchSize: 16, bytes: bytesAt(cost, 16) });
    expect(neverFits(s, budgetFor(16))).toBeUndefined();
    expect(neverFits(s, 0)).toBeUndefined();
    expect(neverFits(s, bytesAt(cost, 16) - 1)).toMatch(
      /no trial of study "fit" fits memory_budget_bytes \d+ \(.* MiB\): its model needs about .* MiB to train at its smallest batch size, 16 \(model summary: .* \+ .* KiB per sample\)/,
    );
  });

  it('is never claimed when the model itself is searched', () => {
    const s = study({
      searchSpace: {
        parameters: [{ name: 'model.spec.mlp.width', intRange: { low: 8, high: 64 } }],
      },
    });
    expect(neverFits(s, 1)).toBeUndefined();
  });
});
