import { trainer, training } from '@athanor/contracts';
import { InvalidArgumentError } from '@athanor/service-kit';
import type { SchedulerSpec } from '@athanor/training-core';
import { type ResolvedTrainConfig, resolveTrainConfig } from '../run-config/resolve-config';
import { createLrPlan } from './lr-plan';

/** Larger previews are refused, as `athanor schedule` refuses them. */
export const MAX_PREVIEW_STEPS = 1_000_000;

export interface PreviewInput {
  readonly scheduler: SchedulerSpec | null;
  readonly warmup: ResolvedTrainConfig['warmup'];
  readonly stepUnit: 'iteration' | 'epoch';
  readonly groups: readonly { readonly name: string; readonly lr: number }[];
  readonly stepsPerEpoch: number;
  readonly steps: number;
  readonly metrics: readonly number[];
}

/**
 * The lr in force at each optimizer step per group, stepping the plan exactly as the loop does
 * (after each step; per-epoch schedulers after every stepsPerEpoch steps). ReduceLROnPlateau reads
 * metrics[i] after scheduler step i (missing values repeat the last one).
 */
export function previewPlan(input: PreviewInput): trainer.PreviewScheduleResponse {
  const plan = createLrPlan(
    input,
    input.groups.map((g) => g.lr),
    input.stepsPerEpoch,
  );
  const plateau = input.scheduler !== null && 'reduceOnPlateau' in input.scheduler;
  if (plateau && input.metrics.length === 0)
    throw new InvalidArgumentError({
      field: 'metrics',
      description: 'reduceOnPlateau needs at least one metric value',
    });
  const series = input.groups.map(() => [] as number[]);
  let schedulerSteps = 0;
  const metric = (): number => input.metrics[Math.min(schedulerSteps, input.metrics.length - 1)];
  for (let i = 0; i < input.steps; i++) {
    plan.lrs().forEach((lr, g) => series[g].push(lr));
    plan.afterStep();
    const endOfEpoch = (i + 1) % input.stepsPerEpoch === 0;
    if (endOfEpoch) plan.afterEpoch();
    if (plateau && (input.stepUnit === 'iteration' || endOfEpoch)) {
      plan.afterValidation(metric());
      schedulerSteps += 1;
    }
  }
  return {
    groups: input.groups.map((g, i) => ({ group: g.name, lrs: series[i] })),
    stepsPerEpoch: input.stepsPerEpoch,
    steps: input.steps,
  };
}

/** PreviewSchedule for a ScheduleDefinition (no dataset needed). */
export function previewDefinition(
  def: trainer.ScheduleDefinition,
  steps: number,
  metrics: readonly number[],
): trainer.PreviewScheduleResponse {
  const wire = training.TrainConfig.fromPartial({
    optimizer: { lr: def.baseLr },
    scheduler: def.scheduler,
    warmup: def.warmup,
    schedulerStepUnit: def.stepUnit,
    batchSize: 1,
    duration: { $case: 'maxSteps', value: 1 },
    model: { source: { $case: 'artifactUri', value: 'unused' } },
    dataset: { source: { $case: 'name', value: 'synthetic' } },
    seed: 0,
  });
  let resolved: ResolvedTrainConfig;
  try {
    resolved = resolveTrainConfig(wire, 'schedule');
  } catch (error) {
    // Report the ScheduleDefinition's own field names.
    if (error instanceof InvalidArgumentError)
      throw new InvalidArgumentError(
        error.violations.map((v) => ({
          field: v.field
            .replace('schedule.optimizer.lr', 'schedule.base_lr')
            .replace('schedule.scheduler_step_unit', 'schedule.step_unit'),
          description: v.description,
        })),
      );
    throw error;
  }
  if (!(steps >= 1 && steps <= MAX_PREVIEW_STEPS))
    throw new InvalidArgumentError({
      field: 'steps',
      description: `is required with schedule: 1..${MAX_PREVIEW_STEPS}, got ${steps}`,
    });
  const spe = def.stepsPerEpoch > 0 ? def.stepsPerEpoch : 1;
  if (def.stepsPerEpoch < 0)
    throw new InvalidArgumentError({ field: 'schedule.steps_per_epoch', description: 'must be >= 1' });
  return previewPlan({
    ...resolved,
    groups: [{ name: 'default', lr: def.baseLr }],
    stepsPerEpoch: spe,
    steps,
    metrics,
  });
}

/** The groups a config trains, "default" last (frozen groups have no lr). */
export function groupsOf(config: ResolvedTrainConfig): { name: string; lr: number }[] {
  const o = config.optimizer;
  return [
    ...o.groups.filter((g) => !g.frozen).map((g) => ({ name: g.name, lr: g.lr ?? o.lr * g.lrMultiplier })),
    { name: 'default', lr: o.lr },
  ];
}
