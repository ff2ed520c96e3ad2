import type { training } from '@athanor/contracts';
import { describeBuiltin, SYNTHETIC_DEFAULTS } from '@athanor/datasets';
import { planModel, summarizePlan, trainingMemoryBytes } from '@athanor/models';
import type { ScalingPolicy } from '../search/scaling-policy';

/**
 * Training memory of one config as a line in its batch size B: fixedBytes + B x perSampleBytes.
 * Every estimate Athanor makes has this shape (model-builder's summary, the scaling policy's own).
 */
export interface MemoryCost {
  readonly fixedBytes: number;
  readonly perSampleBytes: number;
  /** Where the numbers come from, for messages. */
  readonly source: 'scaling policy' | 'model summary';
}

export const bytesAt = (cost: MemoryCost, batch: number): number =>
  cost.fixedBytes + batch * cost.perSampleBytes;

/** The largest batch size whose estimate fits `budget` bytes (0: none; Infinity: any). */
export function largestBatchWithin(cost: MemoryCost, budget: number): number {
  if (cost.fixedBytes > budget) return 0;
  if (cost.perSampleBytes <= 0) return Infinity;
  return Math.floor((budget - cost.fixedBytes) / cost.perSampleBytes);
}

/**
 * The memory cost of training `config`, or undefined when it cannot be told before training (a
 * model loaded from an artifact, a file dataset without a declared shape): such trials fit any
 * worker, as they did before workers stated a budget. The study's own numbers
 * (scaling.fixed_bytes / per_sample_bytes) win when given: they are the user's measurement, and
 * the study's batch-size limits were checked against them. Otherwise libs/models plans the model
 * without allocating anything and the summary's estimate is used, the one model-builder reports
 * (4 x parameter bytes + B x activation bytes per sample).
 */
export function memoryCostOf(config: training.TrainConfig, policy: ScalingPolicy): MemoryCost | undefined {
  if (policy.perSampleBytes > 0)
    return { fixedBytes: policy.fixedBytes, perSampleBytes: policy.perSampleBytes, source: 'scaling policy' };
  const source = config.model?.source;
  if (source?.$case !== 'spec') return undefined;
  const { plan } = planModel(source.value, datasetShapeOf(config.dataset));
  if (!plan) return undefined; // an invalid model fails at its run, with the run's message
  const s = summarizePlan(plan);
  const fixedBytes = trainingMemoryBytes(s.parameterBytes, s.activationBytesPerSample, 0);
  return {
    fixedBytes,
    perSampleBytes: trainingMemoryBytes(s.parameterBytes, s.activationBytesPerSample, 1) - fixedBytes,
    source: 'model summary',
  };
}

/** What the trainer fills in when a model spec leaves input shape or classes to the dataset. */
function datasetShapeOf(dataset: training.DatasetSpec | undefined): {
  inputShape?: readonly number[];
  numClasses?: number;
} {
  const source = dataset?.source;
  if (!source) return {};
  switch (source.$case) {
    case 'name': {
      if (source.value === 'synthetic')
        return { inputShape: SYNTHETIC_DEFAULTS.exampleShape, numClasses: SYNTHETIC_DEFAULTS.numClasses };
      const builtin = describeBuiltin(source.value);
      return builtin ? { inputShape: builtin.exampleShape, numClasses: builtin.numClasses } : {};
    }
    case 'synthetic':
      return {
        inputShape: source.value.exampleShape.length
          ? source.value.exampleShape
          : SYNTHETIC_DEFAULTS.exampleShape,
        numClasses: source.value.numClasses ?? SYNTHETIC_DEFAULTS.numClasses,
      };
    case 'files':
      return {
        ...(source.value.exampleShape.length ? { inputShape: source.value.exampleShape } : {}),
        ...(source.value.numClasses > 0 ? { numClasses: source.value.numClasses } : {}),
      };
  }
}
