/**
 * Errors the store raises for a caller's mistake (not for its own failures). They carry a `kind`
 * instead of a gRPC code so that the store needs no gRPC; the tuner maps them in one place.
 */
export class StoreError extends Error {
  constructor(
    readonly kind: 'not_found' | 'failed_precondition',
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class StudyNotFoundError extends StoreError {
  constructor(readonly studyId: string) {
    super('not_found', `study ${JSON.stringify(studyId)} not found`);
  }
}

export class TrialNotFoundError extends StoreError {
  constructor(readonly trialId: string) {
    super('not_found', `trial ${JSON.stringify(trialId)} not found`);
  }
}

/** The caller's lease is not the trial's current one: it lapsed and moved on, or the trial ended. */
export class LeaseLostError extends StoreError {
  constructor(
    readonly trialId: string,
    detail: string,
  ) {
    super('failed_precondition', `trial ${JSON.stringify(trialId)}: ${detail}`);
  }
}

/** A state change the study's state does not allow (e.g. stopping a finished study). */
export class StudyStateError extends StoreError {
  constructor(message: string) {
    super('failed_precondition', message);
  }
}
