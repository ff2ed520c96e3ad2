import type { metrics } from '@athanor/contracts';

/** A valid point (run-1, train_loss 0.5 at step 1) with `overrides`; the specs' building block. */
export function point(overrides: Partial<metrics.MetricPoint> = {}): metrics.MetricPoint {
  return {
    runId: 'run-1',
    trialId: '',
    studyId: '',
    step: 1,
    wallTime: new Date(1_700_000_000_000),
    name: 'train_loss',
    value: 0.5,
    layer: undefined,
    parameterGroup: undefined,
    ...overrides,
  };
}

/** One ReportMetrics message. */
export function report(
  points: metrics.MetricPoint[],
  extra: Partial<metrics.ReportMetricsRequest> = {},
): metrics.ReportMetricsRequest {
  return { points, source: 'test', runUpdates: [], trialUpdates: [], ...extra };
}
