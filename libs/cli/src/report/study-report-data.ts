import type { metrics, tuner } from '@athanor/contracts';

/** One trial of a study with what the metrics service and the trainer know about it. */
export interface ReportTrial {
  /** The trial as the tuner last described it (GetStudy or a WatchStudy snapshot). */
  readonly trial: tuner.Trial;
  /** Its run's series from the metrics service's QueryRun (train_loss, val_loss, lr, grad_norm, ...). */
  readonly series: readonly metrics.Series[];
  /** LR per optimizer step from the trainer's PreviewSchedule; used when the series hold no `lr`. */
  readonly lrSchedule?: readonly number[];
}

/** Everything the study report is drawn from: a pure input, so the report is a pure function. */
export interface StudyReportData {
  /** The tuner's GetStudy answer (leaderboard, best trial, importances, scaling report). */
  readonly study: tuner.GetStudyResponse;
  /** Every trial that ran, in trial-number order. */
  readonly trials: readonly ReportTrial[];
  /** When the report was made (ISO 8601); passed in so the output is reproducible. */
  readonly generatedAt: string;
  /** The LR range test that anchored the study's learning rate, if one ran. */
  readonly lrRangeTest?: {
    readonly points: readonly { lr: number; smoothedLoss: number }[];
    readonly suggested?: number;
  };
}
