import { ValidationError } from '../errors';
import { isPlainObject, show } from './field-reader';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** JSON has no Infinity or NaN (JSON.stringify writes null), yet ReduceLROnPlateau's `best` starts at ±inf. */
export function encodeFloat(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

export function stateObject(value: unknown, field: string): Record<string, unknown> {
  if (!isPlainObject(value))
    throw new ValidationError({ field, description: `must be an object, got ${show(value)}` });
  return value;
}

export function stateNumber(object: Record<string, unknown>, key: string, path: string): number {
  const value = object[key];
  if (typeof value === 'number') return value;
  if (value === 'Infinity' || value === '-Infinity' || value === 'NaN') return Number(value);
  throw new ValidationError({ field: `${path}.${key}`, description: `must be a number, got ${show(value)}` });
}

export function stateNumbers(
  object: Record<string, unknown>,
  key: string,
  path: string,
  length?: number,
): number[] {
  const value = object[key];
  if (!Array.isArray(value) || (length !== undefined && value.length !== length)) {
    const wanted = length === undefined ? 'a list of numbers' : `a list of ${length} numbers`;
    throw new ValidationError({
      field: `${path}.${key}`,
      description: `must be ${wanted}, got ${show(value)}`,
    });
  }
  return value.map((_, i) =>
    stateNumber(value as unknown as Record<string, unknown>, String(i), `${path}.${key}`),
  );
}

export function stateList(
  object: Record<string, unknown>,
  key: string,
  path: string,
  length: number,
): unknown[] {
  const value = object[key];
  if (!Array.isArray(value) || value.length !== length) {
    throw new ValidationError({
      field: `${path}.${key}`,
      description: `must be a list of ${length} entries, got ${show(value)}`,
    });
  }
  return value;
}
