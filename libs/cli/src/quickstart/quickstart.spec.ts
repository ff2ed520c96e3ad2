import { training, tuner } from '@athanor/contracts';
import { describe, expect, it } from 'vitest';
import {
  QUICKSTART_INITS,
  QUICKSTART_SCHEDULERS,
  quickstartBaseConfig,
  quickstartStudy,
} from './quickstart-study';
import { shortParameterText } from '../report/report-tables';
import { clock, StudyProgress } from './study-progress';

const { TrialState } = tuner;

describe('the quick-start study', () => {
  it('keeps every field it sets (proto3 JSON drops unknown names silently)', () => {
    const json = training.TrainConfig.toJSON(quickstartBaseConfig()) as Record<string, unknown>;
    expect(json).toMatchObject({
      dataset: { name: 'fashion-mnist', maxTrainExamples: 10000, maxValidationExamples: 2000 },
      optimizer: { sgd: { momentum: 0.9, weightDecay: 5e-4 } },
      schedulerStepUnit: 'SCHEDULER_STEP_UNIT_EPOCH',
      metrics: { everyNSteps: 5, perLayerGradientNorms: true },
      checkpoint: { everyNEpochs: 1 },
    });
    for (const choice of QUICKSTART_SCHEDULERS) {
      const spec = training.SchedulerSpec.fromJSON(JSON.parse(choice));
      expect(training.SchedulerSpec.toJSON(spec)).toEqual(JSON.parse(choice));
    }
  });

  it('derives the LR from the batch size (linear rule) and searches batch, scheduler and init', () => {
    const spec = quickstartStudy('qs', 0.004, 2);
    expect(spec.scaling).toMatchObject({
      rule: tuner.ScalingRule.SCALING_RULE_LINEAR,
      referenceBatchSize: 64,
      baseLr: 0.004,
      warmupEpochs: 1,
    });
    expect(spec.searchSpace!.parameters.map((p) => p.name)).toEqual(['batch_size', 'scheduler', 'init']);
    expect(spec.budget).toMatchObject({ maxTrials: 10, maxParallelTrials: 2 });
    expect(spec.pruner?.kind?.$case).toBe('asha');
  });

  it('shows categorical JSON choices by name', () => {
    const s = (value: string) => shortParameterText({ value: { $case: 'stringValue', value } });
    expect(QUICKSTART_SCHEDULERS.map(s)).toEqual(['cosineAnnealing', 'step', 'reduceOnPlateau']);
    expect(QUICKSTART_INITS.map(s)).toEqual(['kaimingNormal', 'xavierUniform']);
    expect(shortParameterText({ value: { $case: 'doubleValue', value: 0.123456 } })).toBe('0.123456');
    expect(s('adam')).toBe('adam');
  });
});

describe('study progress', () => {
  const trial = (number: number, state: tuner.TrialState, objectiveValue?: number) =>
    tuner.Trial.fromPartial({
      id: `t${number}`,
      number,
      state,
      objectiveValue,
      parameters: { batch_size: { value: { $case: 'doubleValue', value: 64 } } },
      scaling: { batchSize: 64, lr: 0.01 },
    });
  const updated = (t: tuner.Trial): tuner.StudyEvent =>
    tuner.StudyEvent.fromPartial({ event: { $case: 'trialUpdated', value: { trial: t, reason: '' } } });

  it('counts trials, keeps the best by direction and estimates the time left', () => {
    const p = new StudyProgress(4, tuner.ObjectiveDirection.OBJECTIVE_DIRECTION_MAXIMIZE, 0);
    p.apply(updated(trial(0, TrialState.TRIAL_STATE_RUNNING)));
    expect(p.etaSeconds(10_000)).toBeUndefined();
    expect(p.apply(updated(trial(0, TrialState.TRIAL_STATE_COMPLETED, 0.8)))).toMatch(
      /trial #0 completed +0\.8000 +batch_size=64 lr=0\.01/,
    );
    p.apply(updated(trial(1, TrialState.TRIAL_STATE_COMPLETED, 0.9)));
    p.apply(updated(trial(2, TrialState.TRIAL_STATE_PRUNED, 0.95)));
    expect(p.best()?.number).toBe(1); // a pruned trial's value is not a result
    expect(p.finished).toBe(3);
    expect(p.etaSeconds(60_000)).toBeCloseTo(20, 10); // 3 trials a minute, one to go
    expect(p.summary(60_000)).toBe(
      '3/4 trials done | 0 running | 2 completed, 1 pruned, 0 failed | best 0.9000 (trial #1) | elapsed 1m00s | ETA 20s',
    );
    expect(p.table(60_000).split('\n')).toHaveLength(6);
  });

  it('minimises by default', () => {
    const p = new StudyProgress(2, tuner.ObjectiveDirection.OBJECTIVE_DIRECTION_UNSPECIFIED, 0);
    p.apply(updated(trial(0, TrialState.TRIAL_STATE_COMPLETED, 0.3)));
    p.apply(updated(trial(1, TrialState.TRIAL_STATE_COMPLETED, 0.2)));
    expect(p.best()?.number).toBe(1);
  });

  it('formats durations', () => {
    expect(clock(5.4)).toBe('5s');
    expect(clock(75)).toBe('1m15s');
    expect(clock(-1)).toBe('0s');
  });
});
