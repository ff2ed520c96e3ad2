/** One thing wrong with an input, named by its path (e.g. `spec.sequential.milestones[0]`). */
export interface FieldViolation {
  readonly field: string;
  readonly description: string;
}

/**
 * Bad input to a pure function. Carries every violation found, each naming its field, so a caller
 * can fix the request from the message alone. Services map it to INVALID_ARGUMENT (they recognise
 * it by its `violations`, so this library needs no gRPC).
 */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  readonly violations: readonly FieldViolation[];

  constructor(violations: readonly FieldViolation[] | FieldViolation) {
    const list: readonly FieldViolation[] = 'field' in violations ? [violations] : violations;
    super(list.map((v) => `${v.field}: ${v.description}`).join('; '));
    this.violations = list;
  }
}

/** Throws a ValidationError for `field` unless `ok`. */
export function check(ok: boolean, field: string, description: string): asserts ok {
  if (!ok) throw new ValidationError({ field, description });
}
