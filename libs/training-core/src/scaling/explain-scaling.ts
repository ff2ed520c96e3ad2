import { check } from '../errors';
import type { SchedulerSpec } from '../schedulers';
import { checkLrScalingInput, scaleLearningRate, type LrScalingInput } from './lr-scaling';
import { composeWarmup, type WarmupComposition } from './warmup';

export interface ScalingInput extends LrScalingInput {
  /** Epochs of linear warm-up from baseLr to the scaled LR; default 0 (none). Goyal et al. use 5. */
  readonly warmupEpochs?: number;
  /**
   * Optimizer steps per epoch. Given: the warm-up is counted in steps (round(epochs * steps),
   * the scheduler stepped every iteration, as Goyal et al. do). Omitted: counted in epochs
   * (warmupEpochs must then be an integer and the scheduler stepped once per epoch).
   */
  readonly stepsPerEpoch?: number;
  /** The schedule after the warm-up; default none (constant scaled LR). */
  readonly mainSchedule?: SchedulerSpec | null;
  /** Default `sequential` (see WarmupComposition). */
  readonly composition?: WarmupComposition;
}

export interface ScalingExplanation {
  /** The LR for the new batch size; also the schedule's base LR when `warmup` is used. */
  readonly scaledLr: number;
  /** The warm-up composed with the main schedule, or null when there is no warm-up. */
  readonly warmup: SchedulerSpec | null;
  /** What `totalIters` counts in `warmup`: `step` or `epoch` (null without warm-up). */
  readonly warmupUnit: 'step' | 'epoch' | null;
  /** One sentence a user can read: which rule, which numbers, and why the warm-up. */
  readonly reasoning: string;
}

const show = (x: number) => String(Number(x.toPrecision(6)));

/** The scaled LR, the warm-up as a SchedulerSpec, and why, for a change of batch size. */
export function explainScaling(input: ScalingInput): ScalingExplanation {
  checkLrScalingInput(input);
  const warmupEpochs = input.warmupEpochs ?? 0;
  check(
    Number.isFinite(warmupEpochs) && warmupEpochs >= 0,
    'warmupEpochs',
    `must be finite and >= 0, got ${warmupEpochs}`,
  );
  const { stepsPerEpoch } = input;
  if (stepsPerEpoch !== undefined) {
    check(
      Number.isSafeInteger(stepsPerEpoch) && stepsPerEpoch >= 1,
      'stepsPerEpoch',
      `must be a positive integer, got ${stepsPerEpoch}`,
    );
  } else {
    check(
      Number.isInteger(warmupEpochs),
      'warmupEpochs',
      `must be an integer without stepsPerEpoch (the scheduler steps per epoch), got ${warmupEpochs}`,
    );
  }

  const scaledLr = scaleLearningRate(input);
  const { baseLr, baseBatchSize, batchSize, rule } = input;
  const k = batchSize / baseBatchSize;
  const ruleText =
    rule === 'linear'
      ? `Linear scaling rule (Goyal et al. 2017): batch ${baseBatchSize} -> ${batchSize} multiplies the LR by ${show(k)}`
      : `Square-root scaling rule (Krizhevsky 2014): batch ${baseBatchSize} -> ${batchSize} multiplies the LR by sqrt(${show(k)}) = ${show(Math.sqrt(k))}`;
  const head = `${ruleText}, so lr ${show(baseLr)} -> ${show(scaledLr)}`;

  if (warmupEpochs === 0) {
    return { scaledLr, warmup: null, warmupUnit: null, reasoning: `${head}; no warm-up was asked for.` };
  }
  if (scaledLr <= baseLr) {
    return {
      scaledLr,
      warmup: null,
      warmupUnit: null,
      reasoning: `${head}; no warm-up, since the LR does not grow (warm-up protects the first steps from a larger LR).`,
    };
  }
  const unit = stepsPerEpoch === undefined ? 'epoch' : 'step';
  const totalIters =
    stepsPerEpoch === undefined ? warmupEpochs : Math.max(1, Math.round(warmupEpochs * stepsPerEpoch));
  const warmup = composeWarmup(
    input.mainSchedule ?? null,
    { startFactor: baseLr / scaledLr, totalIters },
    input.composition,
  );
  const when =
    unit === 'epoch'
      ? `${totalIters} epochs (step the scheduler once per epoch)`
      : `${totalIters} steps (${show(warmupEpochs)} epochs of ${stepsPerEpoch}; step the scheduler every iteration)`;
  return {
    scaledLr,
    warmup,
    warmupUnit: unit,
    reasoning: `${head}; warm up linearly from ${show(baseLr)} to ${show(scaledLr)} over ${when}, because a large LR at the start of training makes it unstable (Goyal et al. 2017).`,
  };
}
