import { isPowerOfTwo, proposeBatchSizes, scaleLearningRate } from '@athanor/training-core';

/** The study's batch-size / LR policy, validated and with its defaults. */
export interface ScalingPolicy {
  /** 'none': the LR is searched or fixed; 'linear' (Goyal et al. 2017) or 'sqrt' (Krizhevsky 2014). */
  readonly rule: 'none' | 'linear' | 'sqrt';
  readonly referenceBatchSize: number;
  readonly baseLr: number;
  readonly warmupEpochs: number;
  readonly minBatchSize: number;
  readonly maxBatchSize: number;
  readonly requirePowerOfTwo: boolean;
  readonly memoryBudgetBytes: number;
  readonly perSampleBytes: number;
  readonly fixedBytes: number;
}

export const NO_SCALING: ScalingPolicy = {
  rule: 'none',
  referenceBatchSize: 0,
  baseLr: 0,
  warmupEpochs: 0,
  minBatchSize: 16,
  maxBatchSize: 4096,
  requirePowerOfTwo: false,
  memoryBudgetBytes: 0,
  perSampleBytes: 0,
  fixedBytes: 0,
};

/** Whether `batch` fits the memory budget (always, without a budget or a per-sample estimate). */
export function fitsMemory(policy: ScalingPolicy, batch: number, budget = policy.memoryBudgetBytes): boolean {
  if (budget <= 0 || policy.perSampleBytes <= 0) return true;
  return policy.fixedBytes + batch * policy.perSampleBytes <= budget;
}

/**
 * Batch sizes the policy allows: powers of two from min to max (the seed guide: 16, 32, 64, ...)
 * that fit the memory budget; a max left at 0 becomes the largest that fits, else 4096.
 */
export function allowedBatchSizes(policy: ScalingPolicy): number[] {
  const fits = policy.memoryBudgetBytes > 0 && policy.perSampleBytes > 0;
  return proposeBatchSizes({
    min: policy.minBatchSize,
    max: policy.maxBatchSize,
    ...(fits
      ? {
          perSampleBytes: policy.perSampleBytes,
          memoryBudgetBytes: policy.memoryBudgetBytes,
          fixedBytes: policy.fixedBytes,
        }
      : {}),
  });
}

/** What the policy does to one trial: its batch size, its derived LR and the warm-up to add. */
export interface TrialScalingResult {
  readonly batchSize: number;
  readonly lr: number;
  /** Warm-up in epochs from baseLr (0: none, e.g. when the LR does not grow). */
  readonly warmupEpochs: number;
  /** The warm-up's first LR as a factor of `lr` (Goyal et al.: base_lr / lr). */
  readonly warmupStartFactor: number;
}

/** The scaled LR and warm-up for `batchSize`; undefined with rule 'none'. */
export function scaleTrial(policy: ScalingPolicy, batchSize: number): TrialScalingResult | undefined {
  if (policy.rule === 'none') return undefined;
  const lr = scaleLearningRate({
    baseLr: policy.baseLr,
    baseBatchSize: policy.referenceBatchSize,
    batchSize,
    rule: policy.rule,
  });
  // Goyal et al. 2017 §2.2: ramp from the small-batch LR to the scaled one; pointless if it does not grow.
  const warm = policy.warmupEpochs > 0 && lr > policy.baseLr;
  return {
    batchSize,
    lr,
    warmupEpochs: warm ? policy.warmupEpochs : 0,
    warmupStartFactor: warm ? policy.baseLr / lr : 1,
  };
}

export { isPowerOfTwo };
