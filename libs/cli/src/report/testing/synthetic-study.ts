import { metrics, tuner } from '@athanor/contracts';
import type { ReportTrial, StudyReportData } from '../study-report-data';

/**
 * A realistic study for tests of the report (no services needed): batch sizes 32..512 with the LR
 * by the linear rule and warm-up, three schedulers, two initialisations, ASHA pruning, losses that
 * fall and then rise past batch 256 (the large-batch gap), per-layer gradient norms. Seeded.
 */
export function syntheticStudy(seed = 7): StudyReportData {
  let s = seed >>> 0;
  const rand = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const batches = [32, 64, 128, 256, 512];
  const schedulers = ['cosine', 'step', 'plateau'];
  const inits = ['kaiming', 'xavier'];
  const trials: ReportTrial[] = [];
  for (let n = 0; n < 10; n++) {
    const batch = batches[n % batches.length];
    const scheduler = schedulers[n % 3];
    const init = inits[n % 2];
    const lr = 0.05 * (batch / 64);
    const steps = Math.round(60000 / batch / 10) * 2;
    const pruned = n % 4 === 3;
    const last = pruned ? Math.floor(steps / 2) : steps;
    const gap = Math.max(0, Math.log2(batch / 128)) * 0.08;
    const point = (step: number, value: number) => ({
      step,
      value,
      wallTime: new Date(1_764_000_000_000 + step * 100),
    });
    const loss = (step: number) => 0.3 + gap + 2 * Math.exp(-step / (steps / 4)) + (rand() - 0.5) * 0.05;
    const warm = Math.round(steps / 10);
    const lrAt = (step: number) => {
      const base = step < warm ? lr * (64 / batch + (1 - 64 / batch) * (step / warm)) : lr;
      if (scheduler === 'cosine') return base * (0.5 * (1 + Math.cos((Math.PI * step) / steps)));
      if (scheduler === 'step') return base * 0.1 ** Math.floor(step / (steps / 2));
      return base * (step > steps * 0.7 ? 0.1 : 1);
    };
    const stepsRange = Array.from({ length: last }, (_, i) => i + 1);
    const epochs = [1, 2].map((e) => Math.round((steps / 2) * e)).filter((x) => x <= last);
    const series: metrics.Series[] = [
      { name: 'train_loss', points: stepsRange.map((k) => point(k, loss(k))) },
      { name: 'lr', parameterGroup: 'default', points: stepsRange.map((k) => point(k, lrAt(k))) },
      { name: 'val_loss', points: epochs.map((k) => point(k, loss(k) + 0.05)) },
      {
        name: 'val_top1',
        points: epochs.map((k) => point(k, 0.92 - gap - 0.3 * Math.exp(-k / (steps / 4)))),
      },
      ...['stem_conv', 'stage1_conv', 'stage2_conv', 'head_dense'].map((layer, i) => ({
        name: 'grad_norm',
        layer,
        points: stepsRange
          .filter((k) => k % 5 === 0)
          .map((k) => point(k, (0.5 + i) * Math.exp(-k / steps) * (1 + rand() * 0.2))),
      })),
    ].map((x) => metrics.Series.fromPartial({ ...x, totalPoints: x.points.length }));
    const finalValue = 0.35 + gap + rand() * 0.03;
    trials.push({
      trial: tuner.Trial.fromPartial({
        id: `trial-${n}`,
        studyId: 'study-synthetic',
        number: n,
        state: pruned ? tuner.TrialState.TRIAL_STATE_PRUNED : tuner.TrialState.TRIAL_STATE_COMPLETED,
        objectiveValue: pruned ? loss(last) : finalValue,
        parameters: {
          batch_size: { value: { $case: 'doubleValue', value: batch } },
          scheduler: { value: { $case: 'stringValue', value: scheduler } },
          'init.conv': { value: { $case: 'stringValue', value: init } },
        },
        runId: `run-${n}`,
        scaling: { batchSize: batch, lr, warmupSteps: warm },
      }),
      series,
    });
  }
  const completed = trials.filter((t) => t.trial.state === tuner.TrialState.TRIAL_STATE_COMPLETED);
  const leaderboard = [...completed]
    .sort((a, b) => a.trial.objectiveValue! - b.trial.objectiveValue!)
    .map((t) => t.trial);
  const scalingReport = batches.map((b) => {
    const at = completed
      .filter((t) => t.trial.scaling?.batchSize === b)
      .map((t) => t.trial.objectiveValue!)
      .sort((x, y) => x - y);
    return tuner.BatchSizeResult.fromPartial({
      batchSize: b,
      scaledLr: 0.05 * (b / 64),
      trials: trials.filter((t) => t.trial.scaling?.batchSize === b).length,
      completed: at.length,
      bestValue: at[0],
      medianValue: at[Math.floor(at.length / 2)],
    });
  });
  return {
    generatedAt: '2026-11-26T10:00:00.000Z',
    study: tuner.GetStudyResponse.fromPartial({
      study: {
        id: 'study-synthetic',
        spec: { name: 'quickstart <synthetic>', objective: { metric: 'val_loss' } },
        state: tuner.StudyState.STUDY_STATE_COMPLETED,
        trialCounts: { completed: completed.length, pruned: trials.length - completed.length },
        bestValue: leaderboard[0]?.objectiveValue,
        bestTrialId: leaderboard[0]?.id,
      },
      bestTrial: leaderboard[0],
      leaderboard,
      importances: [
        { parameter: 'batch_size', importance: 0.6 },
        { parameter: 'scheduler', importance: 0.3 },
        { parameter: 'init.conv', importance: 0.1 },
      ],
      importanceMethod: 'spearman-rank',
      scalingReport,
    }),
    trials,
    lrRangeTest: {
      points: Array.from({ length: 60 }, (_, i) => {
        const lr = 1e-6 * 10 ** (i / 10);
        return {
          lr,
          smoothedLoss:
            2.3 - 1.2 / (1 + Math.exp(-(Math.log10(lr) + 3) * 3)) + (lr > 0.3 ? (lr - 0.3) * 5 : 0),
        };
      }),
      suggested: 0.05,
    },
  };
}
