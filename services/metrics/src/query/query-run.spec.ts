import { metrics } from '@athanor/contracts';
import { InvalidArgumentError, NotFoundError } from '@athanor/service-kit';
import { describe, expect, it } from 'vitest';
import { Ingestor } from '../ingest/ingest-batch';
import { RunStore } from '../store/run-store';
import { StudyStore } from '../store/study-store';
import { point, report } from '../testing/points';
import { queryRun } from './query-run';

const limits = {
  maxPointsPerSeries: 4096,
  maxSeriesPerRun: 64,
  maxRuns: 8,
  finishedRunTtlMs: 1,
  idleRunMs: 1,
};

function request(overrides: Partial<metrics.QueryRunRequest> = {}): metrics.QueryRunRequest {
  return {
    runId: 'run-1',
    names: [],
    layers: [],
    startStep: undefined,
    endStep: undefined,
    maxPoints: 0,
    downsampling: metrics.Downsampling.DOWNSAMPLING_UNSPECIFIED,
    ...overrides,
  };
}

function store(): RunStore {
  const runs = new RunStore(limits);
  const ingestor = new Ingestor(runs, new StudyStore(1, 1), () => 0);
  const points = [];
  for (let step = 0; step < 1000; step++) {
    points.push(point({ step, value: 2 / (1 + step), studyId: 's', trialId: 't' }));
    points.push(point({ step, name: 'lr', value: 0.1, studyId: 's', trialId: 't' }));
    if (step % 100 === 0) {
      points.push(point({ step, name: 'grad_norm', layer: 'conv1', value: 1, studyId: 's', trialId: 't' }));
      points.push(point({ step, name: 'grad_norm', layer: 'dense', value: 2, studyId: 's', trialId: 't' }));
    }
  }
  ingestor.ingest(report(points));
  return runs;
}

describe('queryRun', () => {
  it('returns every series of the run sorted by name and layer, with its identity', () => {
    const out = queryRun(store(), request());
    expect(out).toMatchObject({ runId: 'run-1', studyId: 's', trialId: 't' });
    expect(out.series.map((s) => [s.name, s.layer])).toEqual([
      ['grad_norm', 'conv1'],
      ['grad_norm', 'dense'],
      ['lr', undefined],
      ['train_loss', undefined],
    ]);
    const loss = out.series[3];
    expect(loss.points).toHaveLength(1000);
    expect(loss.totalPoints).toBe(1000);
    expect(loss.downsampled).toBe(false);
    expect(loss.points[0]).toEqual({ step: 0, value: 2, wallTime: new Date(1_700_000_000_000) });
  });

  it('filters by names, layers and an inclusive step range', () => {
    const out = queryRun(
      store(),
      request({ names: ['grad_norm', 'train_loss'], layers: ['dense'], startStep: 100, endStep: 300 }),
    );
    expect(out.series.map((s) => [s.name, s.layer, s.points.map((p) => p.step).length])).toEqual([
      ['grad_norm', 'dense', 3],
      ['train_loss', undefined, 201],
    ]);
  });

  it('downsamples to max_points and says so', () => {
    const out = queryRun(
      store(),
      request({ names: ['train_loss'], maxPoints: 50, downsampling: metrics.Downsampling.DOWNSAMPLING_MEAN }),
    );
    expect(out.series[0].points).toHaveLength(50);
    expect(out.series[0].totalPoints).toBe(1000);
    expect(out.series[0].downsampled).toBe(true);
    expect(out.series[0].points.at(-1)!.step).toBe(999);
  });

  it('answers NOT_FOUND for an unknown run', () => {
    expect(() => queryRun(store(), request({ runId: 'nope' }))).toThrow(NotFoundError);
    expect(() => queryRun(store(), request({ runId: 'nope' }))).toThrow('run "nope" not found');
  });

  it('names every bad field in one INVALID_ARGUMENT', () => {
    let error: unknown;
    try {
      queryRun(
        store(),
        request({
          runId: '',
          names: ['ok', 'Bad Name'],
          layers: ['a b'],
          startStep: 10,
          endStep: 5,
          maxPoints: -1,
          downsampling: 9 as metrics.Downsampling,
        }),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).violations.map((v) => v.field)).toEqual([
      'run_id',
      'names[1]',
      'layers[0]',
      'end_step',
      'max_points',
      'downsampling',
    ]);
  });
});
