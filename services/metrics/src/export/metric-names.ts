/**
 * Names of every series the metrics service exports for training (beside the service kit's process
 * and RPC metrics). The dashboards and their tests read this list, so a renamed metric breaks the
 * dashboard check rather than a chart in production.
 */
export const TRAINING_METRICS = {
  loss: 'athanor_training_loss',
  accuracy: 'athanor_training_accuracy_ratio',
  learningRate: 'athanor_training_learning_rate',
  gradientNorm: 'athanor_training_gradient_norm',
  layerGradientNorm: 'athanor_training_layer_gradient_norm',
  throughput: 'athanor_training_throughput_samples_per_second',
  step: 'athanor_training_step',
  epoch: 'athanor_training_epoch',
  stepDuration: 'athanor_training_step_duration_seconds',
  lastReport: 'athanor_training_last_report_timestamp_seconds',
  studyTrials: 'athanor_study_trials',
  studyBestObjective: 'athanor_study_best_objective',
  studyLastObjective: 'athanor_study_last_objective',
  pointsAccepted: 'athanor_metrics_points_accepted_total',
  pointsRejected: 'athanor_metrics_points_rejected_total',
  pointsEvicted: 'athanor_metrics_points_evicted_total',
  updatesRejected: 'athanor_metrics_updates_rejected_total',
  runsHeld: 'athanor_metrics_runs',
  runsExported: 'athanor_metrics_exported_runs',
} as const;

/** Series names as they appear in the exposition (a histogram adds _bucket, _sum and _count). */
export function exposedSeriesNames(): string[] {
  const names: string[] = Object.values(TRAINING_METRICS);
  const histogram = TRAINING_METRICS.stepDuration;
  return [...names, `${histogram}_bucket`, `${histogram}_sum`, `${histogram}_count`];
}
