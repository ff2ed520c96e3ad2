import type {
  Direction,
  EventRecord,
  StoredEvent,
  StudyRecord,
  StudyState,
  TrialRecord,
  TrialState,
  TrialStopReason,
} from './records';
import type { Row } from './database';

const num = (v: unknown): number => Number(v);
const optNum = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const json = <T>(v: unknown, fallback: T): T => (typeof v === 'string' ? (JSON.parse(v) as T) : fallback);

export function studyFromRow(r: Row): StudyRecord {
  return {
    id: r.id as string,
    name: r.name as string,
    spec: json<unknown>(r.spec, {}),
    state: r.state as StudyState,
    direction: r.direction as Direction,
    maxTrials: num(r.max_trials),
    maxParallel: num(r.max_parallel),
    maxAttempts: num(r.max_attempts),
    leaseMs: num(r.lease_ms),
    deadline: optNum(r.deadline),
    bestValue: optNum(r.best_value),
    bestTrialId: (r.best_trial_id as string | null) ?? null,
    counts: {
      queued: num(r.n_queued),
      running: num(r.n_running),
      pruned: num(r.n_pruned),
      completed: num(r.n_completed),
      failed: num(r.n_failed),
      infeasible: num(r.n_infeasible),
    },
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
    finishedAt: optNum(r.finished_at),
    stopReason: r.stop_reason as string,
    stopRunning: num(r.stop_running) !== 0,
    lastSequence: num(r.last_sequence),
  };
}

export function trialFromRow(r: Row): TrialRecord {
  return {
    id: r.id as string,
    studyId: r.study_id as string,
    number: num(r.number),
    state: r.state as TrialState,
    params: json(r.params, {}),
    objectiveValue: optNum(r.objective_value),
    workerId: r.worker_id as string,
    leaseId: r.lease_id as string,
    leaseExpiresAt: optNum(r.lease_expires_at),
    attempts: num(r.attempts),
    checkpoint: json(r.checkpoint, null),
    failureReason: r.failure_reason as string,
    createdAt: num(r.created_at),
    startedAt: optNum(r.started_at),
    finishedAt: optNum(r.finished_at),
    runId: r.run_id as string,
    scaling: json(r.scaling, null),
    metrics: json(r.metrics, {}),
    step: num(r.step),
    stopReason: r.stop_reason as TrialStopReason,
    traceParent: (r.trace_parent as string | null | undefined) ?? null,
    memoryBytes: optNum(r.memory_bytes),
  };
}

export function eventFromRow(r: Row): EventRecord {
  return {
    studyId: r.study_id as string,
    sequence: num(r.sequence),
    time: num(r.time),
    event: JSON.parse(r.payload as string) as StoredEvent,
  };
}

/** The counter column of a trial state. */
export const COUNTER: Readonly<Record<TrialState, string>> = {
  QUEUED: 'n_queued',
  RUNNING: 'n_running',
  PRUNED: 'n_pruned',
  COMPLETED: 'n_completed',
  FAILED: 'n_failed',
  INFEASIBLE: 'n_infeasible',
};
