import type {
  Direction,
  EventRecord,
  IntermediatePoint,
  StoredCheckpoint,
  StoredParamValue,
  StudyRecord,
  StudyState,
  TrialRecord,
  TrialState,
} from './records';

export interface NewStudy {
  readonly id: string;
  readonly name: string;
  readonly spec: unknown;
  readonly direction: Direction;
  readonly maxTrials: number;
  readonly maxParallel: number;
  readonly maxAttempts: number;
  readonly leaseMs: number;
  readonly deadline: number | null;
  /** Idempotency key: a second create with the same key returns the first study. */
  readonly requestId: string;
  readonly now: number;
}

export interface NewTrial {
  readonly id: string;
  readonly params: Readonly<Record<string, StoredParamValue>>;
  readonly scaling: Readonly<Record<string, unknown>> | null;
}

export interface LeaseRequest {
  /** Empty: any RUNNING study, oldest first. */
  readonly studyId: string;
  readonly workerId: string;
  readonly count: number;
  readonly now: number;
  /** Lease ids for the trials leased, in order (the caller makes them, e.g. random UUIDs). */
  readonly leaseIds: readonly string[];
}

export interface CreateLeasedRequest {
  readonly studyId: string;
  readonly workerId: string;
  /** Trials wanted. */
  readonly count: number;
  /**
   * Makes the trial numbered `number` (called inside the transaction, so the number is final: a
   * grid point or sweep step is never proposed twice); undefined when there is nothing more to try.
   */
  readonly make: (number: number) => NewTrial | undefined;
  readonly leaseIds: readonly string[];
  readonly now: number;
}

export interface LeaseCheck {
  readonly trialId: string;
  readonly leaseId: string;
  readonly now: number;
}

export interface HeartbeatRequest extends LeaseCheck {
  readonly step?: number;
  readonly checkpoint?: StoredCheckpoint | null;
  readonly runId?: string;
}

export interface IntermediateRequest extends LeaseCheck {
  readonly step: number;
  readonly value: number;
  readonly checkpoint?: StoredCheckpoint | null;
  /** The pruner's decision: the trial should stop. */
  readonly prune: boolean;
}

export type TrialOutcome =
  | {
      readonly state: 'COMPLETED';
      readonly value: number;
      readonly metrics: Readonly<Record<string, number>>;
    }
  | { readonly state: 'FAILED'; readonly reason: string; readonly retryable: boolean }
  | { readonly state: 'INFEASIBLE'; readonly reason: string }
  | { readonly state: 'PRUNED'; readonly step: number };

export interface FinishRequest extends LeaseCheck {
  readonly outcome: TrialOutcome;
  readonly runId?: string;
  readonly checkpoint?: StoredCheckpoint | null;
}

export interface StudyStateChange {
  readonly state: StudyState;
  readonly reason: string;
  readonly stopRunning?: boolean;
  readonly now: number;
}

export interface ListStudiesQuery {
  readonly states: readonly StudyState[];
  readonly limit: number;
  readonly offset: number;
}

/**
 * Persistence of studies, trials, leases, intermediate values and each study's event log. Every
 * mutation is one transaction that also appends its events, so the log never disagrees with the
 * state. Implementations: SQLite (one process) and PostgreSQL (several tuner replicas; row locks
 * keep one trial from being leased twice).
 */
export interface StudyStore {
  /** "sqlite:/path/to/file" or "postgres://host/db" (no password), for service info and logs. */
  readonly location: string;

  createStudy(study: NewStudy): Promise<{ study: StudyRecord; created: boolean }>;
  getStudy(id: string): Promise<StudyRecord | undefined>;
  listStudies(query: ListStudiesQuery): Promise<StudyRecord[]>;
  /** Moves a study to a new state (appends a study event); throws StudyStateError from a final state. */
  setStudyState(id: string, change: StudyStateChange): Promise<StudyRecord>;

  getTrial(id: string): Promise<TrialRecord | undefined>;
  /** Trials of a study by number; `states` empty means all. */
  listTrials(studyId: string, states?: readonly TrialState[]): Promise<TrialRecord[]>;
  /** Completed trials, best first (the leaderboard). */
  bestTrials(studyId: string, limit: number): Promise<TrialRecord[]>;
  intermediateValues(trialId: string): Promise<IntermediatePoint[]>;
  /** Every intermediate value of a study, by trial id (pruners compare trials at equal steps). */
  studyIntermediateValues(studyId: string): Promise<Map<string, IntermediatePoint[]>>;

  /** Leases queued trials (re-queued ones keep their checkpoint), respecting max parallel trials. */
  leaseQueued(request: LeaseRequest): Promise<TrialRecord[]>;
  /**
   * Creates trials and leases them at once, within the study's budget (max trials, max parallel):
   * returns the ones created, possibly fewer than asked or none.
   */
  createLeasedTrials(request: CreateLeasedRequest): Promise<TrialRecord[]>;
  /** Extends the lease; throws LeaseLostError when it is not the trial's current lease. */
  heartbeat(request: HeartbeatRequest): Promise<TrialRecord>;
  reportIntermediate(request: IntermediateRequest): Promise<TrialRecord>;
  /** Ends the attempt; a retryable failure re-queues the trial while attempts remain. */
  finishTrial(request: FinishRequest): Promise<TrialRecord>;
  /** Re-queues (or fails, after max attempts) every running trial whose lease lapsed before `now`. */
  requeueExpired(now: number): Promise<TrialRecord[]>;

  /** Events of a study with sequence > afterSequence, oldest first. */
  events(studyId: string, afterSequence: number, limit?: number): Promise<EventRecord[]>;
  /** Called with the study id after this process committed events of it. Returns an unsubscribe. */
  subscribe(listener: (studyId: string) => void): () => void;

  close(): Promise<void>;
}
