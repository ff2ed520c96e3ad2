import type { tuner } from '@athanor/contracts';
import type { TrialRecord } from '@athanor/store';
import { batchSizeOf } from '../search/materialize';
import { scaleTrial } from '../search/scaling-policy';
import type { CompiledStudy } from './compile-study';

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Per batch size: the LR the rule gave, and how the trials did, so a user sees where the rule stops
 * holding (the large-batch generalisation gap, Keskar et al. 2017). Empty unless several batch sizes ran.
 */
export function scalingReport(
  study: CompiledStudy,
  finished: readonly TrialRecord[],
): tuner.BatchSizeResult[] {
  const by = new Map<number, TrialRecord[]>();
  for (const t of finished) {
    const b = batchSizeOf(study, t.params);
    if (b > 0) by.set(b, [...(by.get(b) ?? []), t]);
  }
  if (by.size < 2) return [];
  const sign = study.direction === 'MAXIMIZE' ? -1 : 1;
  const bestOf = (ts: readonly TrialRecord[]) => {
    const vs = ts
      .filter((t) => t.state === 'COMPLETED' && t.objectiveValue !== null)
      .map((t) => t.objectiveValue!);
    return vs.length ? vs.reduce((a, b) => (sign * a <= sign * b ? a : b)) : undefined;
  };
  const reference =
    study.policy.referenceBatchSize > 0 ? bestOf(by.get(study.policy.referenceBatchSize) ?? []) : undefined;
  return [...by.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([batchSize, ts]) => {
      const completed = ts.filter((t) => t.state === 'COMPLETED' && t.objectiveValue !== null);
      const best = bestOf(ts);
      const scaled = scaleTrial(study.policy, batchSize);
      const bestTrial = completed.find((t) => t.objectiveValue === best);
      const lr =
        scaled?.lr ?? Number(bestTrial?.params['optimizer.lr'] ?? study.spec.baseConfig?.optimizer?.lr ?? 0);
      const throughput = median(
        completed.map((t) => t.metrics.samples_per_second).filter((x): x is number => typeof x === 'number'),
      );
      return {
        batchSize,
        scaledLr: lr,
        trials: ts.length,
        completed: completed.length,
        bestValue: best,
        medianValue: median(completed.map((t) => t.objectiveValue!)),
        gapToReference: best !== undefined && reference !== undefined ? best - reference : undefined,
        samplesPerSecond: throughput,
      };
    });
}
