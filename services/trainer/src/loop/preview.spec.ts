import { previewSchedule } from '@athanor/training-core';
import { training } from '@athanor/contracts';
import { describe, expect, it } from 'vitest';
import { previewDefinition } from './preview';

const def = (json: Record<string, unknown>) => ({
  scheduler: training.SchedulerSpec.fromJSON(json.scheduler ?? {}),
  baseLr: 0.1,
  warmup: json.warmup ? training.WarmupSpec.fromJSON(json.warmup) : undefined,
  stepUnit: training.schedulerStepUnitFromJSON(json.stepUnit ?? 'SCHEDULER_STEP_UNIT_UNSPECIFIED'),
  stepsPerEpoch: (json.stepsPerEpoch as number | undefined) ?? 0,
});

describe('PreviewSchedule', () => {
  it('gives the numbers of `athanor schedule` (training-core previewSchedule)', () => {
    for (const spec of [
      { cosineAnnealing: { tMax: 10 } },
      { oneCycle: { maxLr: 1, totalSteps: 20 } },
      { multiStep: { milestones: [3, 7], gamma: 0.5 } },
      { cosineAnnealingWarmRestarts: { t0: 3, tMult: 2 } },
    ]) {
      const res = previewDefinition(def({ scheduler: spec }), 20, []);
      expect(res.groups[0].lrs).toEqual(previewSchedule(spec, 0.1, 20));
    }
  });

  it('feeds reduceOnPlateau the given metrics, repeating the last', () => {
    const spec = { reduceOnPlateau: { patience: 0, factor: 0.5 } };
    const res = previewDefinition(def({ scheduler: spec }), 4, [1, 1, 1]);
    expect(res.groups[0].lrs).toEqual(previewSchedule(spec, 0.1, 4, [1, 1, 1, 1]));
  });

  it('counts epochs for a per-epoch scheduler and warm-up in iterations', () => {
    const res = previewDefinition(
      def({
        scheduler: { step: { stepSize: 1, gamma: 0.5 } },
        stepUnit: 'SCHEDULER_STEP_UNIT_EPOCH',
        stepsPerEpoch: 2,
        warmup: { steps: 2, startFactor: 0.5 },
      }),
      6,
      [],
    );
    // LinearLR reaches the target after totalIters steps; the epoch that ended in warm-up is not the scheduler's.
    [0.05, 0.075, 0.1, 0.1, 0.05, 0.05].forEach((lr, i) => expect(res.groups[0].lrs[i]).toBeCloseTo(lr, 12));
  });

  it('warms up, then lets reduceOnPlateau watch the validations after the ramp only', () => {
    const res = previewDefinition(
      def({
        scheduler: { reduceOnPlateau: { patience: 0, factor: 0.5 } },
        stepUnit: 'SCHEDULER_STEP_UNIT_EPOCH',
        stepsPerEpoch: 2,
        warmup: { steps: 2, startFactor: 0.5 },
      }),
      8,
      [1, 1, 1, 1],
    );
    // Epoch 1 is the ramp (its validation is not the scheduler's); then no improvement each epoch
    // halves the lr with patience 0, from the second validation it sees.
    [0.05, 0.075, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025].forEach((lr, i) =>
      expect(res.groups[0].lrs[i]).toBeCloseTo(lr, 12),
    );
  });

  it('names the ScheduleDefinition fields', () => {
    expect(() => previewDefinition({ ...def({}), baseLr: 0 }, 5, [])).toThrow(/schedule.base_lr/);
    expect(() => previewDefinition(def({}), 0, [])).toThrow(/steps: is required/);
  });
});
