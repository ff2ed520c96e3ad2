import { type metrics, trainer, tuner } from '@athanor/contracts';
import { describe, expect, it } from 'vitest';
import type { StoreLimits } from '../config';
import { RunStore } from '../store/run-store';
import { StudyStore } from '../store/study-store';
import { point, report } from '../testing/points';
import { Ingestor } from './ingest-batch';

const limits: StoreLimits = {
  maxPointsPerSeries: 16,
  maxSeriesPerRun: 4,
  maxRuns: 2,
  finishedRunTtlMs: 60_000,
  idleRunMs: 600_000,
};

function setup() {
  let clock = 1_000_000;
  const runs = new RunStore(limits);
  const studies = new StudyStore(limits.finishedRunTtlMs, limits.idleRunMs);
  const seconds: number[] = [];
  const ingestor = new Ingestor(runs, studies, () => clock, { stepSeconds: (_run, s) => seconds.push(s) });
  const send = (points: metrics.MetricPoint[], extra: Partial<metrics.ReportMetricsRequest> = {}) =>
    ingestor.ingest(report(points, extra));
  return { runs, studies, send, seconds, advance: (ms: number) => (clock += ms) };
}

describe('Ingestor', () => {
  it('stores valid points and reports them accepted', () => {
    const { runs, send, seconds } = setup();
    const outcome = send([
      point(),
      point({ step: 2, value: 0.4 }),
      point({ name: 'step_seconds', value: 0.02 }),
      point({ name: 'grad_norm', layer: 'conv1', value: 2 }),
    ]);
    expect(outcome).toMatchObject({ accepted: 4, evicted: 0, pointRejections: [] });
    const run = runs.get('run-1')!;
    expect(run.maxStep).toBe(2);
    expect(run.layers).toEqual(['conv1']);
    expect(seconds).toEqual([0.02]);
  });

  it.each([
    ['missing_run_id', { runId: '' }],
    ['invalid_run_id', { runId: 'run with spaces' }],
    ['invalid_run_id', { runId: 'x'.repeat(65) }],
    ['invalid_trial_id', { trialId: '../etc' }],
    ['invalid_study_id', { studyId: 'a"b' }],
    ['missing_name', { name: '' }],
    ['invalid_name', { name: 'Loss' }],
    ['invalid_name', { name: 'loss{job="x"}' }],
    ['missing_wall_time', { wallTime: undefined }],
    ['negative_step', { step: -1 }],
    ['non_finite_value', { value: Number.NaN }],
    ['non_finite_value', { value: Number.POSITIVE_INFINITY }],
    ['value_out_of_range', { name: 'val_top1', value: 1.5 }],
    ['value_out_of_range', { name: 'lr', value: -0.1 }],
    ['unexpected_label', { name: 'train_loss', layer: 'conv1' }],
    ['unexpected_label', { name: 'grad_norm', parameterGroup: 'backbone' }],
    ['invalid_layer', { name: 'grad_norm', layer: 'a b' }],
    ['invalid_parameter_group', { name: 'lr', parameterGroup: 'x'.repeat(200) }],
  ] as const)('rejects %s (%j) without failing the batch', (reason, overrides) => {
    const { send } = setup();
    const outcome = send([point({ step: 0 }), point(overrides), point({ step: 2 })]);
    expect(outcome.accepted).toBe(2);
    expect(outcome.pointRejections).toEqual([{ index: 1, reason }]);
  });

  it('rejects a step older than the series has, per series', () => {
    const { send } = setup();
    const outcome = send([
      point({ step: 10 }),
      point({ step: 9 }),
      point({ step: 5, name: 'val_loss' }),
      point({ step: 10, value: 0.1 }),
    ]);
    expect(outcome.accepted).toBe(3);
    expect(outcome.pointRejections).toEqual([{ index: 1, reason: 'out_of_order_step' }]);
  });

  it('keeps custom names for QueryRun but bounds series per run', () => {
    const { send } = setup();
    const names = ['a', 'b', 'c', 'd', 'e'];
    const outcome = send(names.map((name) => point({ name })));
    expect(outcome.accepted).toBe(4);
    expect(outcome.pointRejections).toEqual([{ index: 4, reason: 'too_many_series' }]);
  });

  it('pins a run to its study and trial', () => {
    const { send } = setup();
    const outcome = send([
      point({ studyId: 's1', trialId: 't1' }),
      point({ studyId: 's2', trialId: 't1', step: 2 }),
    ]);
    expect(outcome.pointRejections).toEqual([{ index: 1, reason: 'run_identity_conflict' }]);
  });

  it('rejects points beyond the per-message limit', () => {
    const { send } = setup();
    const points = Array.from({ length: 10_002 }, (_, i) => point({ step: i }));
    const outcome = send(points);
    expect(outcome.accepted).toBe(10_000);
    expect(outcome.pointRejections.map((r) => r.reason)).toEqual(['batch_too_large', 'batch_too_large']);
  });

  it('counts points dropped by thinning as evicted', () => {
    const { send } = setup();
    const outcome = send(Array.from({ length: 100 }, (_, i) => point({ step: i })));
    expect(outcome.accepted).toBe(100);
    expect(outcome.evicted).toBeGreaterThan(80);
  });

  it('makes room for a new run by dropping the one that finished longest ago, never a live one', () => {
    const { runs, send } = setup();
    send([point({ runId: 'a' }), point({ runId: 'b' })]);
    expect(send([point({ runId: 'c' })]).pointRejections).toEqual([{ index: 0, reason: 'too_many_runs' }]);
    const done = send([], {
      runUpdates: [
        {
          runId: 'a',
          trialId: '',
          studyId: '',
          state: trainer.RunState.RUN_STATE_COMPLETED,
          time: undefined,
        },
      ],
    });
    expect(done.updatesAccepted).toBe(1);
    expect(send([point({ runId: 'c' })]).accepted).toBe(1);
    expect(runs.get('a')).toBeUndefined();
    expect(runs.get('b')).toBeDefined();
  });

  it('applies run and trial updates and rejects malformed ones by reason', () => {
    const { runs, studies, send } = setup();
    const { RunState } = trainer;
    const { TrialState, ObjectiveDirection } = tuner;
    const trial = (
      trialId: string,
      state: tuner.TrialState,
      objectiveValue?: number,
    ): metrics.TrialUpdate => ({
      studyId: 's1',
      trialId,
      state,
      objectiveValue,
      direction: ObjectiveDirection.OBJECTIVE_DIRECTION_MAXIMIZE,
      time: undefined,
    });
    const outcome = send([], {
      runUpdates: [
        { runId: 'r1', trialId: 't1', studyId: 's1', state: RunState.RUN_STATE_RUNNING, time: undefined },
        { runId: 'r2', trialId: '', studyId: '', state: RunState.RUN_STATE_UNSPECIFIED, time: undefined },
        { runId: '', trialId: '', studyId: '', state: RunState.RUN_STATE_RUNNING, time: undefined },
      ],
      trialUpdates: [
        trial('t1', TrialState.TRIAL_STATE_COMPLETED, 0.8),
        trial('t2', TrialState.TRIAL_STATE_COMPLETED, 0.9),
        trial('t3', TrialState.TRIAL_STATE_COMPLETED, 0.7),
        trial('t4', TrialState.TRIAL_STATE_RUNNING),
        trial('t5', TrialState.TRIAL_STATE_COMPLETED, Number.NaN),
        trial('', TrialState.TRIAL_STATE_RUNNING),
        trial('t6', 42 as tuner.TrialState),
      ],
    });
    expect(outcome.updatesAccepted).toBe(5);
    expect(outcome.updateRejections).toEqual([
      'invalid_state',
      'missing_run_id',
      'non_finite_objective',
      'invalid_trial_id',
      'invalid_state',
    ]);
    expect(runs.get('r1')!.state).toBe(RunState.RUN_STATE_RUNNING);
    const study = studies.get('s1')!;
    expect(study.best).toBe(0.9);
    expect(study.last).toBe(0.7);
    expect(Object.fromEntries(studies.countsByState(study))).toMatchObject({
      completed: 3,
      running: 1,
      queued: 0,
    });
  });
});
