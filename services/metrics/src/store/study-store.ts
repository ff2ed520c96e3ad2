import { tuner } from '@athanor/contracts';

const { TrialState, ObjectiveDirection } = tuner;

/** Trial states as exported (`state` label): lower-case, without the enum prefix. */
export const TRIAL_STATE_LABELS: ReadonlyMap<tuner.TrialState, string> = new Map([
  [TrialState.TRIAL_STATE_QUEUED, 'queued'],
  [TrialState.TRIAL_STATE_RUNNING, 'running'],
  [TrialState.TRIAL_STATE_PRUNED, 'pruned'],
  [TrialState.TRIAL_STATE_COMPLETED, 'completed'],
  [TrialState.TRIAL_STATE_FAILED, 'failed'],
  [TrialState.TRIAL_STATE_INFEASIBLE, 'infeasible'],
]);

const LIVE: ReadonlySet<tuner.TrialState> = new Set([
  TrialState.TRIAL_STATE_QUEUED,
  TrialState.TRIAL_STATE_RUNNING,
]);

/** What the service knows about one study: its trials' latest states and objectives. */
export interface StudyRecord {
  readonly studyId: string;
  readonly trials: Map<string, tuner.TrialState>;
  direction: tuner.ObjectiveDirection;
  /** Best objective of the completed trials so far. */
  best: number | undefined;
  /** Objective of the trial that completed last (a curve of these is "objective over time"). */
  last: number | undefined;
  /** Last update (service clock, ms). */
  lastUpdate: number;
}

/** Studies held for the export; a bound that only a runaway tuner could reach. */
export const MAX_STUDIES = 1000;
export const MAX_TRIALS_PER_STUDY = 10_000;

export interface TrialChange {
  readonly studyId: string;
  readonly trialId: string;
  readonly state: tuner.TrialState;
  readonly objective: number | undefined;
  readonly direction: tuner.ObjectiveDirection;
}

/**
 * Per-study state for the export (trials by state, best and latest objective). A study leaves the
 * export ttlMs after its last update once no trial is queued or running, and idleMs after its last
 * update in any case (a tuner that died leaves trials "running" forever).
 */
export class StudyStore {
  private readonly studies = new Map<string, StudyRecord>();

  constructor(
    private readonly ttlMs: number,
    private readonly idleMs: number,
  ) {}

  all(): IterableIterator<StudyRecord> {
    return this.studies.values();
  }

  get(studyId: string): StudyRecord | undefined {
    return this.studies.get(studyId);
  }

  apply(change: TrialChange, now: number): 'ok' | 'too_many_studies' | 'too_many_trials' {
    let study = this.studies.get(change.studyId);
    if (!study) {
      if (this.studies.size >= MAX_STUDIES) this.dropExpired(now);
      if (this.studies.size >= MAX_STUDIES) return 'too_many_studies';
      study = {
        studyId: change.studyId,
        trials: new Map(),
        direction: change.direction,
        best: undefined,
        last: undefined,
        lastUpdate: now,
      };
      this.studies.set(change.studyId, study);
    }
    if (!study.trials.has(change.trialId) && study.trials.size >= MAX_TRIALS_PER_STUDY)
      return 'too_many_trials';
    study.trials.set(change.trialId, change.state);
    study.lastUpdate = now;
    if (change.direction !== ObjectiveDirection.OBJECTIVE_DIRECTION_UNSPECIFIED)
      study.direction = change.direction;
    if (change.state === TrialState.TRIAL_STATE_COMPLETED && change.objective !== undefined) {
      study.last = change.objective;
      const maximise = study.direction === ObjectiveDirection.OBJECTIVE_DIRECTION_MAXIMIZE;
      if (
        study.best === undefined ||
        (maximise ? change.objective > study.best : change.objective < study.best)
      )
        study.best = change.objective;
    }
    return 'ok';
  }

  isExported(study: StudyRecord, now: number): boolean {
    const quiet = now - study.lastUpdate;
    const live = [...study.trials.values()].some((s) => LIVE.has(s));
    return quiet < (live ? this.idleMs : this.ttlMs);
  }

  /** Trials of the study by exported state label (every state present, zero included). */
  countsByState(study: StudyRecord): Map<string, number> {
    const counts = new Map([...TRIAL_STATE_LABELS.values()].map((label) => [label, 0]));
    for (const state of study.trials.values()) {
      const label = TRIAL_STATE_LABELS.get(state);
      if (label) counts.set(label, counts.get(label)! + 1);
    }
    return counts;
  }

  private dropExpired(now: number): void {
    for (const study of [...this.studies.values()])
      if (!this.isExported(study, now)) this.studies.delete(study.studyId);
  }
}
