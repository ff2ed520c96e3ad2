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
  /** Estimated training memory of its config in bytes; null or absent: unknown (fits any worker). */
  readonly memoryBytes?: number | null;
  /**
   * Set: the trial is created QUEUED instead of leased to the caller, with this reason in its
   * event (e.g. it does not fit the caller's memory); another worker takes it from the queue.
   */
  readonly queueReason?: string;
}

/** Which trial is meant, as a trace or a log names it. */
export interface TrialIdentity {
  readonly id: string;
  readonly studyId: string;
  readonly number: number;
}

/**
 * The trace context (W3C traceparent) to store with a trial leased with none stored yet: at its
 * first lease, or its first since tracing was turned on. Called inside the transaction; undefined
 * stores nothing.
 */
export type TraceOf = (trial: TrialIdentity) => string | undefined;

export interface LeaseRequest {
  /** Empty: any RUNNING study, oldest first. */
  readonly studyId: string;
  readonly workerId: string;
  readonly count: number;
  readonly now: number;
  /** Lease ids for the trials leased, in order (the caller makes them, e.g. random UUIDs). */
  readonly leaseIds: readonly string[];
  /**
   * Only trials whose memory estimate is at most this many bytes (unknown estimates always
   * qualify); the others stay queued for a worker with more memory. 0 or absent: no limit.
   */
  readonly maxMemoryBytes?: number;
  readonly traceOf?: TraceOf;
}

export interface CreateLeasedRequest {
  readonly studyId: string;
  readonly workerId: string;
  /** Trials wanted. */
  readonly count: number;
  /**
   * Makes the trial numbered `number` (called inside the transaction, so the number is final: a
   * grid point or sweep step is never proposed twice); undefined when there is nothing more to try.
   * A trial made with a queueReason is queued rather than leased; at most `count` are, per call.
   */
  readonly make: (number: number) => NewTrial | undefined;
  readonly leaseIds: readonly string[];
  readonly now: number;
  readonly traceOf?: TraceOf;
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

/** What one commit appended to one study's event log, as subscribers hear of it. */
export interface CommittedEvents {
  /** The study's objective direction (events carry none; "best so far" needs it). */
  readonly direction: Direction;
  /** The events, oldest first. */
  readonly events: readonly EventRecord[];
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

  /**
   * Leases queued trials (re-queued ones keep their checkpoint), oldest first, respecting max
   * parallel trials and the caller's memory limit.
   */
  leaseQueued(request: LeaseRequest): Promise<TrialRecord[]>;
  /**
   * Creates trials and leases them at once, within the study's budget (max trials, max parallel):
   * returns the ones leased, possibly fewer than asked or none (those made with a queueReason are
   * created QUEUED and not returned).
   */
  createLeasedTrials(request: CreateLeasedRequest): Promise<TrialRecord[]>;
  /** Extends the lease; throws LeaseLostError when it is not the trial's current lease. */
  heartbeat(request: HeartbeatRequest): Promise<TrialRecord>;
  reportIntermediate(request: IntermediateRequest): Promise<TrialRecord>;
  /** Ends the attempt; a retryable failure re-queues the trial while attempts remain. */
  finishTrial(request: FinishRequest): Promise<TrialRecord>;
  /** Re-queues (or fails, after max attempts) every running trial whose lease lapsed before `now`. */
  requeueExpired(now: number): Promise<TrialRecord[]>;
  /**
   * Gives every RUNNING trial at least one full lease (its study's lease) from `now`; returns how
   * many. A tuner calls it when it starts: while no tuner ran, workers could not heartbeat, and
   * their leases must not lapse for that.
   */
  renewRunningLeases(now: number): Promise<number>;

  /** Events of a study with sequence > afterSequence, oldest first. */
  events(studyId: string, afterSequence: number, limit?: number): Promise<EventRecord[]>;
  /**
   * Called after this process committed events of a study, once per study and commit, with the
   * events in order (other replicas' commits are not heard). Returns an unsubscribe.
   */
  subscribe(listener: (studyId: string, committed: CommittedEvents) => void): () => void;

  close(): Promise<void>;
}
