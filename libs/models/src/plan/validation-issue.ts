import { ValidationError } from '@athanor/training-core';

/** One finding about a spec, named by its field path from the request (e.g. `spec.cnn.stages[1].block`). */
export interface ValidationIssue {
  readonly field: string;
  readonly description: string;
  /** `error`: the spec cannot be built; `warning`: it builds but is probably not what was meant. */
  readonly severity: 'error' | 'warning';
}

/**
 * A spec that cannot be built. A ValidationError (it carries `violations`), so services map it to
 * INVALID_ARGUMENT with one field violation per error; warnings travel along in `issues`.
 */
export class InvalidModelSpecError extends ValidationError {
  readonly issues: readonly ValidationIssue[];
  constructor(issues: readonly ValidationIssue[]) {
    const errors = issues.filter((i) => i.severity === 'error');
    super(errors.map(({ field, description }) => ({ field, description })));
    this.issues = issues;
  }
}

/** Errors first (stable otherwise), as ValidateModel returns them. */
export function sortIssues(issues: readonly ValidationIssue[]): ValidationIssue[] {
  return [...issues].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
}
