import { check } from '../errors';

/** `value` must be a finite number >= 0. */
export function checkNonNegative(value: number, field: string): void {
  check(
    typeof value === 'number' && Number.isFinite(value) && value >= 0,
    field,
    `must be finite and >= 0, got ${value}`,
  );
}

/** `value` must lie in [0, 1) (PyTorch's check on betas and similar decay rates). */
export function checkUnitInterval(value: number, field: string): void {
  check(typeof value === 'number' && value >= 0 && value < 1, field, `must be in [0, 1), got ${value}`);
}

/** `value` must be a boolean. */
export function checkBoolean(value: unknown, field: string): void {
  check(typeof value === 'boolean', field, `must be true or false, got ${String(value)}`);
}

/** The LR of a group: its own, else the optimizer's, else a ValidationError (SGD has no default). */
export function resolveLr(own: number | undefined, fallback: number | undefined, field: string): number {
  const lr = own ?? fallback;
  check(lr !== undefined, `${field}.lr`, 'is required (no default for this optimizer)');
  return lr;
}
