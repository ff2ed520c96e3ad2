import { check } from '../errors';
import { checkBatchSize } from './batch-size';

/** `linear`: Goyal et al. 2017; `sqrt`: Krizhevsky 2014. */
export type ScalingRule = 'linear' | 'sqrt';

export interface LrScalingInput {
  /** The LR tuned for `baseBatchSize`. */
  readonly baseLr: number;
  /** The batch size `baseLr` was tuned for. */
  readonly baseBatchSize: number;
  /** The batch size to train with. */
  readonly batchSize: number;
  readonly rule: ScalingRule;
}

/** Checks the input, naming the field (`baseLr`, `baseBatchSize`, `batchSize`, `rule`). */
export function checkLrScalingInput(input: LrScalingInput): void {
  check(
    Number.isFinite(input.baseLr) && input.baseLr > 0,
    'baseLr',
    `must be finite and > 0, got ${input.baseLr}`,
  );
  checkBatchSize(input.baseBatchSize, 'baseBatchSize');
  checkBatchSize(input.batchSize, 'batchSize');
  check(
    input.rule === 'linear' || input.rule === 'sqrt',
    'rule',
    `must be "linear" or "sqrt", got "${String(input.rule)}"`,
  );
}

/** The LR for `batchSize`: base_lr * k (linear) or base_lr * sqrt(k) (sqrt), k = B / B_base. */
export function scaleLearningRate(input: LrScalingInput): number {
  checkLrScalingInput(input);
  const k = input.batchSize / input.baseBatchSize;
  // Goyal et al. 2017 ("Accurate, Large Minibatch SGD"): multiply the LR by k.
  if (input.rule === 'linear') return input.baseLr * k;
  // Krizhevsky 2014 ("One weird trick"): multiply the LR by sqrt(k), keeping the update's variance.
  return input.baseLr * Math.sqrt(k);
}
