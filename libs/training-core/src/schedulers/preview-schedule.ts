import { ValidationError } from '../errors';
import { createScheduler } from './create-scheduler';
import type { SchedulerSpec } from './scheduler-spec';

/**
 * The LR in force at each of `steps` optimizer steps, the scheduler stepped after each one
 * (PyTorch's order): entry 0 is the constructor's LR. With one base LR it returns one number a
 * step; with a list, one list (a value per group) a step. reduceOnPlateau reads metrics[i] after
 * step i: give `steps` values (or `steps - 1`: the value after the last step changes nothing shown).
 * Like PyTorch, oneCycle fails when stepped past its totalSteps.
 */
export function previewSchedule(
  spec: SchedulerSpec,
  baseLr: number,
  steps: number,
  metrics?: readonly number[],
): number[];
export function previewSchedule(
  spec: SchedulerSpec,
  baseLrs: readonly number[],
  steps: number,
  metrics?: readonly number[],
): number[][];
export function previewSchedule(
  spec: SchedulerSpec,
  baseLrs: number | readonly number[],
  steps: number,
  metrics?: readonly number[],
): number[] | number[][] {
  if (!Number.isInteger(steps) || steps < 0) {
    throw new ValidationError({ field: 'steps', description: `must be an integer >= 0, got ${steps}` });
  }
  const scheduler = createScheduler(spec, typeof baseLrs === 'number' ? [baseLrs] : baseLrs);
  const needsMetric = scheduler.kind === 'reduceOnPlateau';
  checkMetrics(needsMetric, steps, metrics);
  const out: number[][] = [];
  for (let i = 0; i < steps; i++) {
    out.push(scheduler.lrs());
    if (needsMetric) {
      if (i < metrics!.length) scheduler.step(metrics![i]);
    } else {
      scheduler.step();
    }
  }
  return typeof baseLrs === 'number' ? out.map((lrs) => lrs[0]) : out;
}

function checkMetrics(needsMetric: boolean, steps: number, metrics: readonly number[] | undefined): void {
  if (!needsMetric) {
    if (metrics !== undefined && metrics.length > 0) {
      throw new ValidationError({
        field: 'metrics',
        description: 'only reduceOnPlateau reads a metric; remove them or change the spec',
      });
    }
    return;
  }
  const given = metrics?.length ?? 0;
  if (given < steps - 1 || given > steps) {
    throw new ValidationError({
      field: 'metrics',
      description: `reduceOnPlateau needs one metric after each step: ${steps} values (or ${Math.max(steps - 1, 0)}), got ${given}`,
    });
  }
  metrics?.forEach((m, i) => {
    if (typeof m !== 'number' || Number.isNaN(m)) {
      throw new ValidationError({
        field: `metrics[${i}]`,
        description: `must be a number, got ${String(m)}`,
      });
    }
  });
}
