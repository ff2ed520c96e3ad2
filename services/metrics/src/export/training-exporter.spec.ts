import { trainer, tuner } from '@athanor/contracts';
import { describe, expect, it } from 'vitest';
import { Ingestor } from '../ingest/ingest-batch';
import { RunStore } from '../store/run-store';
import { StudyStore } from '../store/study-store';
import { point, report } from '../testing/points';
import { promtoolCheckMetrics, promtoolUnavailable } from '../testing/promtool';
import { CombinedRegistry } from './combined-registry';
import { exposedSeriesNames, TRAINING_METRICS as M } from './metric-names';
import { createServiceMetrics } from '@athanor/service-kit';
import { TrainingExporter } from './training-exporter';

const TTL = 60_000;
const IDLE = 600_000;

function setup(layerGroups = 4) {
  let clock = 1_000_000;
  const now = () => clock;
  const limits = {
    maxPointsPerSeries: 64,
    maxSeriesPerRun: 256,
    maxRuns: 16,
    finishedRunTtlMs: TTL,
    idleRunMs: IDLE,
  };
  const runs = new RunStore(limits);
  const studies = new StudyStore(TTL, IDLE);
  const exporter = new TrainingExporter({ runs, studies, layerGroups, now });
  const ingestor = new Ingestor(runs, studies, now, exporter);
  const send = (...args: Parameters<typeof report>) => exporter.observe(ingestor.ingest(report(...args)));
  return { exporter, send, advance: (ms: number) => (clock += ms) };
}

/** A run of a trial reporting every well-known name, 20 layers and two parameter groups. */
function trainingPoints(runId: string, step: number) {
  const ids = { runId, studyId: 'study-a', trialId: `trial-${runId}`, step };
  return [
    point({ ...ids, name: 'train_loss', value: 1 / (step + 1) }),
    point({ ...ids, name: 'val_loss', value: 1.2 / (step + 1) }),
    point({ ...ids, name: 'train_top1', value: 0.5 }),
    point({ ...ids, name: 'val_top1', value: 0.6 }),
    point({ ...ids, name: 'val_top5', value: 0.9 }),
    point({ ...ids, name: 'lr', value: 0.1, parameterGroup: 'backbone' }),
    point({ ...ids, name: 'lr', value: 0.01, parameterGroup: 'head' }),
    point({ ...ids, name: 'grad_norm', value: 3 }),
    ...Array.from({ length: 20 }, (_, i) =>
      point({ ...ids, name: 'grad_norm', layer: `layer${i}`, value: 1 }),
    ),
    point({ ...ids, name: 'samples_per_second', value: 1234 }),
    point({ ...ids, name: 'step_seconds', value: 0.05 }),
    point({ ...ids, name: 'epoch', value: 2 }),
  ];
}

const trialUpdate = (trialId: string, state: tuner.TrialState, objectiveValue?: number) => ({
  studyId: 'study-a',
  trialId,
  state,
  objectiveValue,
  direction: tuner.ObjectiveDirection.OBJECTIVE_DIRECTION_MINIMIZE,
  time: undefined,
});

const lineOf = (text: string, prefix: string) => text.split('\n').find((l) => l.startsWith(prefix));

describe('TrainingExporter', () => {
  it('exports every training series with bounded labels', async () => {
    const { exporter, send } = setup();
    send(trainingPoints('run-1', 7));
    const text = await exporter.registry.metrics();
    const labels = 'study="study-a",trial="trial-run-1",run="run-1"';
    expect(lineOf(text, `${M.loss}{${labels},split="train"}`)).toBe(
      `${M.loss}{${labels},split="train"} 0.125`,
    );
    expect(lineOf(text, `${M.loss}{${labels},split="validation"}`)).toMatch(/ 0\.15$/);
    expect(lineOf(text, `${M.accuracy}{${labels},split="validation",k="5"}`)).toMatch(/ 0\.9$/);
    expect(lineOf(text, `${M.learningRate}{${labels},parameter_group="head"}`)).toMatch(/ 0\.01$/);
    expect(lineOf(text, `${M.gradientNorm}{${labels}}`)).toMatch(/ 3$/);
    expect(lineOf(text, `${M.throughput}{${labels}}`)).toMatch(/ 1234$/);
    expect(lineOf(text, `${M.step}{${labels}}`)).toMatch(/ 7$/);
    expect(lineOf(text, `${M.epoch}{${labels}}`)).toMatch(/ 2$/);
    expect(lineOf(text, `${M.stepDuration}_bucket{le="0.05",${labels}}`)).toMatch(/ 1$/);
    // 20 layers in 4 groups of 5, each the L2 norm of five 1s.
    const groups = text.split('\n').filter((l) => l.startsWith(`${M.layerGradientNorm}{`));
    expect(groups).toHaveLength(4);
    expect(groups[0]).toBe(
      `${M.layerGradientNorm}{${labels},layer_group="00:layer0..layer4"} ${Math.sqrt(5)}`,
    );
    expect(lineOf(text, `${M.pointsAccepted} `)).toBe(`${M.pointsAccepted} 31`);
    expect(lineOf(text, `${M.pointsRejected}{reason="non_finite_value"}`)).toMatch(/ 0$/);
    // Every series name in the exposition is a documented one (the dashboards rely on the list).
    const names = new Set(
      text
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.split(/[{ ]/)[0]),
    );
    expect([...names].filter((n) => !exposedSeriesNames().includes(n))).toEqual([]);
  });

  it('exports studies: trials by state, best and latest objective', async () => {
    const { exporter, send } = setup();
    const { TrialState } = tuner;
    send([], {
      trialUpdates: [
        trialUpdate('t1', TrialState.TRIAL_STATE_COMPLETED, 0.4),
        trialUpdate('t2', TrialState.TRIAL_STATE_COMPLETED, 0.3),
        trialUpdate('t3', TrialState.TRIAL_STATE_COMPLETED, 0.5),
        trialUpdate('t4', TrialState.TRIAL_STATE_PRUNED),
        trialUpdate('t5', TrialState.TRIAL_STATE_RUNNING),
      ],
    });
    const text = await exporter.registry.metrics();
    expect(lineOf(text, `${M.studyTrials}{study="study-a",state="completed"}`)).toMatch(/ 3$/);
    expect(lineOf(text, `${M.studyTrials}{study="study-a",state="queued"}`)).toMatch(/ 0$/);
    expect(lineOf(text, `${M.studyBestObjective}{study="study-a"}`)).toMatch(/ 0\.3$/);
    expect(lineOf(text, `${M.studyLastObjective}{study="study-a"}`)).toMatch(/ 0\.5$/);
  });

  it('drops a finished run, its histogram included, after the TTL; a silent run after idle + TTL', async () => {
    const { exporter, send, advance } = setup();
    send([...trainingPoints('done', 1), ...trainingPoints('silent', 1)]);
    send([], {
      runUpdates: [
        {
          runId: 'done',
          trialId: 'trial-done',
          studyId: 'study-a',
          state: trainer.RunState.RUN_STATE_COMPLETED,
          time: undefined,
        },
      ],
    });
    const runsIn = async () => {
      const text = await exporter.registry.metrics();
      return ['done', 'silent'].filter((run) =>
        text.split('\n').some((l) => l.includes(`run="${run}"`) && l.startsWith(M.stepDuration)),
      );
    };
    expect(await runsIn()).toEqual(['done', 'silent']);
    advance(TTL - 1);
    expect(await runsIn()).toEqual(['done', 'silent']);
    advance(1);
    expect(await runsIn()).toEqual(['silent']);
    const text = await exporter.registry.metrics();
    expect(text).not.toContain('run="done"');
    advance(IDLE + TTL);
    expect(await exporter.registry.metrics()).not.toContain('run="silent"');
    // The study had no trial updates; its runs alone do not keep it exported.
    expect(lineOf(await exporter.registry.metrics(), `${M.runsHeld} `)).toBe(`${M.runsHeld} 2`);
    expect(lineOf(await exporter.registry.metrics(), `${M.runsExported} `)).toBe(`${M.runsExported} 0`);
  });

  it('passes promtool check metrics together with the service registry', async (ctx) => {
    const why = promtoolUnavailable();
    if (why) ctx.skip(why);
    const { exporter, send } = setup();
    send(trainingPoints('run-1', 3));
    send([point({ runId: '' })]);
    send([], { trialUpdates: [trialUpdate('t1', tuner.TrialState.TRIAL_STATE_COMPLETED, 0.2)] });
    const service = createServiceMetrics('metrics');
    const text = await new CombinedRegistry([service.registry, exporter.registry]).metrics();
    expect(text).toContain('athanor_process_cpu_seconds_total');
    expect(text).toContain(M.layerGradientNorm);
    const result = promtoolCheckMetrics(text);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });
});
