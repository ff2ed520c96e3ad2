/** Lifecycle of a trial (the tuner's TrialState without its UNSPECIFIED zero value). */
export type TrialState = 'QUEUED' | 'RUNNING' | 'PRUNED' | 'COMPLETED' | 'FAILED' | 'INFEASIBLE';

/** Lifecycle of a study. */
export type StudyState = 'RUNNING' | 'STOPPING' | 'COMPLETED' | 'STOPPED' | 'FAILED';

export type Direction = 'MINIMIZE' | 'MAXIMIZE';

/** Why a worker should stop a running trial ('' = keep going). */
export type TrialStopReason = '' | 'PRUNED' | 'STUDY_STOPPED';

/** A parameter value as stored: numbers for numeric domains, strings for categorical ones. */
export type StoredParamValue = number | string;

export interface TrialCounts {
  readonly queued: number;
  readonly running: number;
  readonly pruned: number;
  readonly completed: number;
  readonly failed: number;
  readonly infeasible: number;
}

export interface StudyRecord {
  readonly id: string;
  readonly name: string;
  /** The study's definition as the service stores it (opaque to the store; proto3 JSON in the tuner). */
  readonly spec: unknown;
  readonly state: StudyState;
  readonly direction: Direction;
  /** Trials to finish; 0 = unlimited. */
  readonly maxTrials: number;
  /** Trials leased at once (>= 1). */
  readonly maxParallel: number;
  /** Leases per trial before it fails for good. */
  readonly maxAttempts: number;
  /** Lease length in milliseconds. */
  readonly leaseMs: number;
  /** Epoch ms after which no new trial starts; null = no time limit. */
  readonly deadline: number | null;
  readonly bestValue: number | null;
  readonly bestTrialId: string | null;
  readonly counts: TrialCounts;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly finishedAt: number | null;
  readonly stopReason: string;
  /** StopStudy asked running trials to stop too. */
  readonly stopRunning: boolean;
  /** Sequence number of the study's newest event. */
  readonly lastSequence: number;
}

/** A checkpoint reference, opaque to the store (proto3 JSON of CheckpointRef in the tuner). */
export type StoredCheckpoint = Readonly<Record<string, unknown>>;

export interface TrialRecord {
  readonly id: string;
  readonly studyId: string;
  readonly number: number;
  readonly state: TrialState;
  readonly params: Readonly<Record<string, StoredParamValue>>;
  /** Final objective (COMPLETED) or the last intermediate value (PRUNED). */
  readonly objectiveValue: number | null;
  readonly workerId: string;
  /** Current lease ('' when not leased). */
  readonly leaseId: string;
  readonly leaseExpiresAt: number | null;
  readonly attempts: number;
  readonly checkpoint: StoredCheckpoint | null;
  readonly failureReason: string;
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly runId: string;
  /** Batch-size scaling applied (opaque to the store). */
  readonly scaling: Readonly<Record<string, unknown>> | null;
  readonly metrics: Readonly<Record<string, number>>;
  /** Newest step a worker reported. */
  readonly step: number;
  readonly stopReason: TrialStopReason;
  /** W3C traceparent of the trial's trace, set at its first lease when the tuner traces; else null. */
  readonly traceParent: string | null;
  /** Estimated training memory of the trial's config in bytes; null when unknown (fits any worker). */
  readonly memoryBytes: number | null;
}

export interface IntermediatePoint {
  readonly step: number;
  readonly value: number;
  readonly reportedAt: number;
}

/** What the event log holds; the service turns it into its wire form. */
export type StoredEvent =
  | { readonly kind: 'study'; readonly study: StudyRecord }
  | {
      readonly kind: 'trial';
      readonly trial: TrialRecord;
      readonly previousState: TrialState | null;
      readonly reason: string;
    }
  | {
      readonly kind: 'intermediate';
      readonly trialId: string;
      readonly trialNumber: number;
      readonly point: IntermediatePoint;
      readonly pruned: boolean;
    }
  | { readonly kind: 'new_best'; readonly trial: TrialRecord };

export interface EventRecord {
  readonly studyId: string;
  /** From 1, without gaps, per study. */
  readonly sequence: number;
  readonly time: number;
  readonly event: StoredEvent;
}

export const TERMINAL_TRIAL_STATES: readonly TrialState[] = ['PRUNED', 'COMPLETED', 'FAILED', 'INFEASIBLE'];
export const TERMINAL_STUDY_STATES: readonly StudyState[] = ['COMPLETED', 'STOPPED', 'FAILED'];
