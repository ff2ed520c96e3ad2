import { training, tuner } from '@athanor/contracts';
import { InvalidArgumentError } from '@athanor/service-kit';
import { checkBatchSize, explainScaling, ValidationError } from '@athanor/training-core';

// training-core's field names -> the request's.
const FIELD: Readonly<Record<string, string>> = {
  baseLr: 'base_lr',
  baseBatchSize: 'base_batch_size',
  batchSize: 'target_batch_size',
  warmupEpochs: 'warmup_epochs',
  stepsPerEpoch: 'steps_per_epoch',
};

/** ScaleHyperparameters: the linear (Goyal et al. 2017) or square-root (Krizhevsky 2014) rule with warm-up. */
export function scaleHyperparameters(
  r: tuner.ScaleHyperparametersRequest,
): tuner.ScaleHyperparametersResponse {
  const rule =
    r.rule === tuner.ScalingRule.SCALING_RULE_LINEAR
      ? 'linear'
      : r.rule === tuner.ScalingRule.SCALING_RULE_SQRT
        ? 'sqrt'
        : undefined;
  const violations = [];
  if (!rule)
    violations.push({ field: 'rule', description: 'must be SCALING_RULE_LINEAR or SCALING_RULE_SQRT' });
  if (
    r.warmup?.$case === 'warmupEpochs' &&
    r.warmup.value > 0 &&
    !Number.isInteger(r.warmup.value) &&
    !(r.stepsPerEpoch > 0)
  )
    violations.push({ field: 'steps_per_epoch', description: 'is required for a fractional warmup_epochs' });
  if (r.warmup?.$case === 'warmupSteps' && r.warmup.value < 0)
    violations.push({ field: 'warmup_steps', description: 'must be >= 0' });
  if (r.stepsPerEpoch < 0) violations.push({ field: 'steps_per_epoch', description: 'must be >= 0' });
  try {
    if (r.requirePowerOfTwo) checkBatchSize(r.targetBatchSize, 'batchSize', { powerOfTwo: true });
  } catch (err) {
    if (err instanceof ValidationError)
      violations.push(
        ...err.violations.map((x) => ({ field: FIELD[x.field] ?? x.field, description: x.description })),
      );
  }
  if (violations.length) throw new InvalidArgumentError(violations);
  const inSteps = r.warmup?.$case === 'warmupSteps';
  let e;
  try {
    e = explainScaling({
      baseLr: r.baseLr,
      baseBatchSize: r.baseBatchSize,
      batchSize: r.targetBatchSize,
      rule: rule!,
      warmupEpochs: r.warmup ? r.warmup.value : 0,
      // Steps given: count the warm-up in steps of "epochs" of one step each.
      ...(inSteps ? { stepsPerEpoch: 1 } : r.stepsPerEpoch > 0 ? { stepsPerEpoch: r.stepsPerEpoch } : {}),
    });
  } catch (err) {
    if (err instanceof ValidationError)
      throw new InvalidArgumentError(
        err.violations.map((x) => ({ field: FIELD[x.field] ?? x.field, description: x.description })),
      );
    throw err;
  }
  const warmupSteps = e.warmup
    ? inSteps
      ? Number(r.warmup!.value)
      : r.stepsPerEpoch > 0
        ? Math.max(1, Math.round(Number(r.warmup!.value) * r.stepsPerEpoch))
        : 0
    : 0;
  const factor = e.scaledLr / r.baseLr;
  const warnings: string[] = [];
  if (rule === 'linear' && factor > 1 && !e.warmup)
    warnings.push(
      'the linear rule without warm-up often diverges early; Goyal et al. 2017 warm up over 5 epochs',
    );
  if (r.targetBatchSize > 8192)
    warnings.push('batch sizes above 8k often generalise worse even with warm-up (Goyal et al. 2017)');
  if (r.targetBatchSize < 16)
    warnings.push('batch sizes below 16 give noisy gradients and poor hardware use');
  if (r.warmup?.$case === 'warmupEpochs' && !(r.stepsPerEpoch > 0) && e.warmup)
    warnings.push('warm-up counted in epochs: step the scheduler once per epoch, or give steps_per_epoch');
  return {
    scaledLr: e.scaledLr,
    scaleFactor: factor,
    warmupScheduler: e.warmup ? training.SchedulerSpec.fromJSON(e.warmup) : undefined,
    warmupSteps,
    reasoning: e.reasoning,
    warnings,
  };
}
