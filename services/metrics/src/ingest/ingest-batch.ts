import { type metrics, trainer, tuner } from '@athanor/contracts';
import { isTerminalRunState, type RunRecord, type RunStore } from '../store/run-store';
import type { StudyStore } from '../store/study-store';
import { isValidId, isValidLabel, isValidName } from './identifiers';
import { knownMetric } from './known-metrics';
import type { PointRejection, UpdateRejection } from './rejection-reason';

/** ReportMetricsRequest documents this limit; points beyond it are rejected, not the message. */
export const MAX_POINTS_PER_MESSAGE = 10_000;

/** What one request message did. */
export interface BatchOutcome {
  accepted: number;
  evicted: number;
  pointRejections: { index: number; reason: PointRejection }[];
  updatesAccepted: number;
  updateRejections: UpdateRejection[];
}

/** Hooks for the Prometheus export, called for accepted points. */
export interface IngestListener {
  /** A step_seconds point was accepted (the step-duration histogram observes it). */
  stepSeconds(run: RunRecord, seconds: number): void;
}

const RUN_STATES = new Set(Object.values(trainer.RunState).filter((v) => typeof v === 'number'));
const TRIAL_STATES = new Set(Object.values(tuner.TrialState).filter((v) => typeof v === 'number'));

/** An optional label: absent and empty mean the same (proto3 clients cannot tell them apart). */
const present = (label: string | undefined): string | undefined => (label ? label : undefined);

/**
 * Validates and stores the points and updates of one ReportMetrics message. A bad point is counted
 * with its reason and skipped; it never fails the stream. NaN and ±Infinity are rejected for every
 * name (non_finite_value): a diverged run is the trainer's to report (its run fails with a reason),
 * and a NaN in a gauge would hide the last good value from every chart.
 */
export class Ingestor {
  constructor(
    private readonly runs: RunStore,
    private readonly studies: StudyStore,
    private readonly now: () => number,
    private readonly listener?: IngestListener,
  ) {}

  ingest(request: metrics.ReportMetricsRequest): BatchOutcome {
    const outcome: BatchOutcome = {
      accepted: 0,
      evicted: 0,
      pointRejections: [],
      updatesAccepted: 0,
      updateRejections: [],
    };
    const now = this.now();
    request.points.forEach((point, index) => {
      const result = index >= MAX_POINTS_PER_MESSAGE ? 'batch_too_large' : this.addPoint(point, now);
      if (typeof result === 'number') {
        outcome.accepted++;
        outcome.evicted += result;
      } else {
        outcome.pointRejections.push({ index, reason: result });
      }
    });
    for (const update of request.runUpdates) this.count(outcome, this.applyRunUpdate(update, now));
    for (const update of request.trialUpdates) this.count(outcome, this.applyTrialUpdate(update, now));
    return outcome;
  }

  private count(outcome: BatchOutcome, result: UpdateRejection | undefined): void {
    if (result) outcome.updateRejections.push(result);
    else outcome.updatesAccepted++;
  }

  /** Stores a point; returns the points it evicted, or why it was rejected. */
  private addPoint(point: metrics.MetricPoint, now: number): number | PointRejection {
    const id = checkIds(point.runId, point.trialId, point.studyId);
    if (id) return id;
    if (!point.name) return 'missing_name';
    if (!isValidName(point.name)) return 'invalid_name';
    if (!point.wallTime || Number.isNaN(point.wallTime.getTime())) return 'missing_wall_time';
    if (point.step < 0) return 'negative_step';
    if (!Number.isFinite(point.value)) return 'non_finite_value';
    const layer = present(point.layer);
    const group = present(point.parameterGroup);
    const known = knownMetric(point.name);
    if (known) {
      if (point.value < known.min || point.value > known.max) return 'value_out_of_range';
      if ((layer !== undefined && !known.layer) || (group !== undefined && !known.parameterGroup))
        return 'unexpected_label';
    }
    if (layer !== undefined && !isValidLabel(layer)) return 'invalid_layer';
    if (group !== undefined && !isValidLabel(group)) return 'invalid_parameter_group';

    const run = this.runs.lookup(point.runId, point.trialId, point.studyId, now);
    if (typeof run === 'string') return run;
    const series = this.runs.seriesOf(run, point.name, layer, group);
    if (!series) return 'too_many_series';
    const last = series.buffer.lastStep;
    if (last !== undefined && point.step < last) return 'out_of_order_step';
    const evicted = series.buffer.append(point.step, point.value, point.wallTime.getTime());
    run.lastSeen = now;
    run.maxStep = Math.max(run.maxStep, point.step);
    if (point.name === 'step_seconds' && this.runs.isExported(run, now))
      this.listener?.stepSeconds(run, point.value);
    return evicted;
  }

  private applyRunUpdate(update: metrics.RunUpdate, now: number): UpdateRejection | undefined {
    const id = checkIds(update.runId, update.trialId, update.studyId);
    if (id) return id;
    if (update.state === trainer.RunState.RUN_STATE_UNSPECIFIED || !RUN_STATES.has(update.state))
      return 'invalid_state';
    const run = this.runs.lookup(update.runId, update.trialId, update.studyId, now);
    if (typeof run === 'string') return run;
    run.state = update.state;
    run.lastSeen = now;
    // The service's clock, not the sender's: expiry must not depend on a trainer's clock skew.
    run.terminalAt = isTerminalRunState(update.state) ? now : undefined;
    return undefined;
  }

  private applyTrialUpdate(update: metrics.TrialUpdate, now: number): UpdateRejection | undefined {
    if (!isValidId(update.studyId)) return 'invalid_study_id';
    if (!isValidId(update.trialId)) return 'invalid_trial_id';
    if (update.state === tuner.TrialState.TRIAL_STATE_UNSPECIFIED || !TRIAL_STATES.has(update.state))
      return 'invalid_state';
    const completed = update.state === tuner.TrialState.TRIAL_STATE_COMPLETED;
    const objective = completed ? update.objectiveValue : undefined;
    if (objective !== undefined && !Number.isFinite(objective)) return 'non_finite_objective';
    const result = this.studies.apply(
      {
        studyId: update.studyId,
        trialId: update.trialId,
        state: update.state,
        objective,
        direction: update.direction,
      },
      now,
    );
    return result === 'ok' ? undefined : result;
  }
}

function checkIds(
  runId: string,
  trialId: string,
  studyId: string,
): 'missing_run_id' | 'invalid_run_id' | 'invalid_trial_id' | 'invalid_study_id' | undefined {
  if (!runId) return 'missing_run_id';
  if (!isValidId(runId)) return 'invalid_run_id';
  if (trialId && !isValidId(trialId)) return 'invalid_trial_id';
  if (studyId && !isValidId(studyId)) return 'invalid_study_id';
  return undefined;
}
