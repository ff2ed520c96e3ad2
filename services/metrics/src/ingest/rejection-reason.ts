/**
 * Why a point or an update was rejected. A closed list: it is the `reason` label of
 * athanor_metrics_points_rejected_total / athanor_metrics_updates_rejected_total, so it must stay
 * bounded, and the response's RejectionCount.reason uses the same words.
 */
export const POINT_REJECTIONS = [
  'batch_too_large',
  'missing_run_id',
  'invalid_run_id',
  'invalid_trial_id',
  'invalid_study_id',
  'run_identity_conflict',
  'missing_name',
  'invalid_name',
  'missing_wall_time',
  'negative_step',
  'non_finite_value',
  'value_out_of_range',
  'unexpected_label',
  'invalid_layer',
  'invalid_parameter_group',
  'out_of_order_step',
  'too_many_series',
  'too_many_runs',
] as const;

export type PointRejection = (typeof POINT_REJECTIONS)[number];

export const UPDATE_REJECTIONS = [
  'missing_run_id',
  'invalid_run_id',
  'invalid_trial_id',
  'invalid_study_id',
  'run_identity_conflict',
  'invalid_state',
  'non_finite_objective',
  'too_many_runs',
  'too_many_studies',
  'too_many_trials',
] as const;

export type UpdateRejection = (typeof UPDATE_REJECTIONS)[number];
