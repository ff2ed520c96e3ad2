import { metrics, tuner } from '@athanor/contracts';
import { status as Status, type ServiceError } from '@grpc/grpc-js';
import type { ReportTrial, StudyReportData } from './study-report-data';

/** Points per series in the report: enough for smooth curves, small enough for one page. */
const MAX_POINTS = 300;

export interface CollectOptions {
  readonly tuner: tuner.TunerServiceClient;
  readonly metrics: metrics.MetricsServiceClient;
  readonly studyId: string;
  /** Every trial of the study in its last state (from WatchStudy). */
  readonly trials: readonly tuner.Trial[];
  readonly lrRangeTest?: StudyReportData['lrRangeTest'];
  readonly now?: Date;
}

/**
 * Gathers what the study report is drawn from, as any client would: the tuner's GetStudy
 * (leaderboard, importances, per-batch-size scaling report) and each trial's series from the
 * metrics service. A run the metrics service does not know (it restarted, or the run reported
 * nothing) is drawn without curves rather than failing the report.
 */
export async function collectStudyReport(o: CollectOptions): Promise<StudyReportData> {
  const study = await unary<tuner.GetStudyRequest, tuner.GetStudyResponse>(
    (r, cb) => o.tuner.getStudy(r, cb),
    tuner.GetStudyRequest.fromPartial({ studyId: o.studyId, leaderboardSize: 1000 }),
  );
  const trials: ReportTrial[] = [];
  for (const trial of [...o.trials].sort((a, b) => a.number - b.number)) {
    trials.push({ trial, series: trial.runId ? await seriesOf(o.metrics, trial.runId) : [] });
  }
  return {
    study,
    trials,
    generatedAt: (o.now ?? new Date()).toISOString(),
    ...(o.lrRangeTest ? { lrRangeTest: o.lrRangeTest } : {}),
  };
}

async function seriesOf(client: metrics.MetricsServiceClient, runId: string): Promise<metrics.Series[]> {
  try {
    const res = await unary<metrics.QueryRunRequest, metrics.QueryRunResponse>(
      (r, cb) => client.queryRun(r, cb),
      metrics.QueryRunRequest.fromPartial({ runId, maxPoints: MAX_POINTS }),
    );
    return res.series;
  } catch (error) {
    if ((error as ServiceError).code === Status.NOT_FOUND) return [];
    throw error;
  }
}

function unary<Req, Res>(
  fn: (req: Req, cb: (e: ServiceError | null, r: Res) => void) => unknown,
  req: Req,
): Promise<Res> {
  return new Promise((resolve, reject) => fn(req, (e, r) => (e ? reject(e) : resolve(r))));
}
