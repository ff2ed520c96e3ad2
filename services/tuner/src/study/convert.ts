import { training, tuner } from '@athanor/contracts';
import type { EventRecord, IntermediatePoint, StudyRecord, TrialRecord } from '@athanor/store';
import type { Param, ParamValue } from '../search/space';

const date = (ms: number | null): Date | undefined => (ms === null ? undefined : new Date(ms));

export const STUDY_STATE: Readonly<Record<StudyRecord['state'], tuner.StudyState>> = {
  RUNNING: tuner.StudyState.STUDY_STATE_RUNNING,
  STOPPING: tuner.StudyState.STUDY_STATE_STOPPING,
  COMPLETED: tuner.StudyState.STUDY_STATE_COMPLETED,
  STOPPED: tuner.StudyState.STUDY_STATE_STOPPED,
  FAILED: tuner.StudyState.STUDY_STATE_FAILED,
};

export const TRIAL_STATE: Readonly<Record<TrialRecord['state'], tuner.TrialState>> = {
  QUEUED: tuner.TrialState.TRIAL_STATE_QUEUED,
  RUNNING: tuner.TrialState.TRIAL_STATE_RUNNING,
  PRUNED: tuner.TrialState.TRIAL_STATE_PRUNED,
  COMPLETED: tuner.TrialState.TRIAL_STATE_COMPLETED,
  FAILED: tuner.TrialState.TRIAL_STATE_FAILED,
  INFEASIBLE: tuner.TrialState.TRIAL_STATE_INFEASIBLE,
};

export function studyToProto(s: StudyRecord, options: { withBaseConfig?: boolean } = {}): tuner.Study {
  const spec = tuner.StudySpec.fromJSON(s.spec);
  if (!options.withBaseConfig) spec.baseConfig = undefined;
  return {
    id: s.id,
    spec,
    state: STUDY_STATE[s.state],
    trialCounts: { ...s.counts },
    bestValue: s.bestValue ?? undefined,
    bestTrialId: s.bestTrialId ?? '',
    createdAt: date(s.createdAt),
    updatedAt: date(s.updatedAt),
    finishedAt: date(s.finishedAt),
    stopReason: s.stopReason,
  };
}

function valueToProto(p: Param | undefined, v: ParamValue): tuner.ParameterValue {
  if (typeof v === 'string') return { value: { $case: 'stringValue', value: v } };
  if (p?.kind === 'int') return { value: { $case: 'intValue', value: v } };
  return { value: { $case: 'doubleValue', value: v } };
}

export function checkpointToProto(c: TrialRecord['checkpoint']): training.CheckpointRef | undefined {
  return c ? training.CheckpointRef.fromJSON(c) : undefined;
}

export function checkpointFromProto(c: training.CheckpointRef | undefined): Record<string, unknown> | null {
  return c ? (training.CheckpointRef.toJSON(c) as Record<string, unknown>) : null;
}

export function pointToProto(p: IntermediatePoint): tuner.IntermediateValue {
  return { step: p.step, value: p.value, reportedAt: new Date(p.reportedAt) };
}

export function trialToProto(
  t: TrialRecord,
  space: readonly Param[],
  points: readonly IntermediatePoint[] = [],
): tuner.Trial {
  const byName = new Map(space.map((p) => [p.name, p]));
  // Trials stored before the warm-up was kept with them read as having none.
  const scaling = t.scaling as {
    batchSize?: number;
    lr?: number;
    warmupEpochs?: number;
    warmupStartFactor?: number;
  } | null;
  return {
    id: t.id,
    studyId: t.studyId,
    number: t.number,
    state: TRIAL_STATE[t.state],
    parameters: Object.fromEntries(
      Object.entries(t.params).map(([k, v]) => [k, valueToProto(byName.get(k), v)]),
    ),
    objectiveValue: t.objectiveValue ?? undefined,
    intermediateValues: points.map(pointToProto),
    workerId: t.workerId,
    leaseExpiresAt: t.state === 'RUNNING' ? date(t.leaseExpiresAt) : undefined,
    attempts: t.attempts,
    checkpoint: checkpointToProto(t.checkpoint),
    failureReason: t.failureReason,
    createdAt: date(t.createdAt),
    startedAt: date(t.startedAt),
    finishedAt: date(t.finishedAt),
    runId: t.runId,
    scaling: scaling
      ? {
          batchSize: scaling.batchSize ?? 0,
          lr: scaling.lr ?? 0,
          // A study's scaling policy gives its warm-up in epochs; steps depend on the dataset.
          warmupSteps: 0,
          warmupEpochs: scaling.warmupEpochs ?? 0,
          warmupStartFactor: scaling.warmupStartFactor ?? 0,
        }
      : undefined,
    metrics: { ...t.metrics },
  };
}

export function eventToProto(e: EventRecord, space: readonly Param[]): tuner.StudyEvent {
  const base = { studyId: e.studyId, sequence: e.sequence, time: new Date(e.time) };
  const ev = e.event;
  switch (ev.kind) {
    case 'study':
      return { ...base, event: { $case: 'studyUpdated', value: studyToProto(ev.study) } };
    case 'trial':
      return {
        ...base,
        event: {
          $case: 'trialUpdated',
          value: {
            trial: trialToProto(ev.trial, space),
            previousState: ev.previousState
              ? TRIAL_STATE[ev.previousState]
              : tuner.TrialState.TRIAL_STATE_UNSPECIFIED,
            reason: ev.reason,
          },
        },
      };
    case 'intermediate':
      return {
        ...base,
        event: {
          $case: 'intermediateReported',
          value: {
            trialId: ev.trialId,
            trialNumber: ev.trialNumber,
            value: pointToProto(ev.point),
            pruned: ev.pruned,
          },
        },
      };
    case 'new_best':
      return { ...base, event: { $case: 'newBest', value: trialToProto(ev.trial, space) } };
  }
}
