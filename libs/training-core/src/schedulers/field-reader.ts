import type { FieldViolation } from '../errors';

/** Bounds for a numeric field; every field must also be finite. */
export interface NumberRule {
  integer?: boolean;
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  max?: number;
  /** Exclusive upper bound. */
  below?: number;
}

/**
 * Reads the fields of one JSON object, collecting every violation (with its full path) instead of
 * stopping at the first, so one error lists everything a caller must fix. An invalid or missing
 * required value reads as NaN; the caller throws when `violations` is non-empty.
 */
export class FieldReader {
  constructor(
    readonly object: Readonly<Record<string, unknown>>,
    readonly path: string,
    readonly violations: FieldViolation[],
    allowed: readonly string[],
  ) {
    for (const key of Object.keys(object)) {
      if (allowed.includes(key)) continue;
      const camel = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      const hint =
        camel !== key && allowed.includes(camel)
          ? `; use '${camel}' (lowerCamelCase)`
          : `; known fields: ${allowed.join(', ')}`;
      this.fail(key, `unknown field${hint}`);
    }
  }

  fail(key: string, description: string): void {
    this.violations.push({ field: key === '' ? this.path : `${this.path}.${key}`, description });
  }

  number(key: string, fallback: number | undefined, rule: NumberRule = {}): number {
    const value = this.object[key];
    if (value === undefined) {
      if (fallback === undefined) this.fail(key, 'is required');
      return fallback ?? NaN;
    }
    return this.checkNumber(value, `${this.path}.${key}`, rule);
  }

  /** A number for all parameter groups, or a list with one per group (its length is checked later). */
  numberOrList(key: string, fallback: number | undefined, rule: NumberRule = {}): number | number[] {
    const value = this.object[key];
    if (Array.isArray(value)) {
      if (value.length === 0) this.fail(key, 'must not be an empty list');
      return value.map((item, i) => this.checkNumber(item, `${this.path}.${key}[${i}]`, rule));
    }
    return this.number(key, fallback, rule);
  }

  numberList(key: string, rule: NumberRule = {}): number[] {
    const value = this.object[key];
    if (!Array.isArray(value)) {
      this.fail(
        key,
        value === undefined
          ? 'is required (a list of numbers)'
          : `must be a list of numbers, got ${show(value)}`,
      );
      return [];
    }
    return value.map((item, i) => this.checkNumber(item, `${this.path}.${key}[${i}]`, rule));
  }

  choice<T extends string>(key: string, options: readonly T[], fallback: T): T {
    const value = this.object[key];
    if (value === undefined) return fallback;
    if (typeof value === 'string' && (options as readonly string[]).includes(value)) return value as T;
    this.fail(key, `must be one of ${options.map((o) => `'${o}'`).join(', ')}, got ${show(value)}`);
    return fallback;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.object[key];
    if (value === undefined) return fallback;
    if (typeof value === 'boolean') return value;
    this.fail(key, `must be true or false, got ${show(value)}`);
    return fallback;
  }

  string(key: string): string {
    const value = this.object[key];
    if (typeof value === 'string') return value;
    this.fail(key, value === undefined ? 'is required (a string)' : `must be a string, got ${show(value)}`);
    return '';
  }

  private checkNumber(value: unknown, field: string, rule: NumberRule): number {
    const problem = numberProblem(value, rule);
    if (problem) {
      this.violations.push({ field, description: problem });
      return NaN;
    }
    return value as number;
  }
}

function numberProblem(value: unknown, rule: NumberRule): string | undefined {
  if (typeof value !== 'number') return `must be a number, got ${show(value)}`;
  if (!Number.isFinite(value)) return `must be finite, got ${value}`;
  if (rule.integer && !Number.isInteger(value)) return `must be an integer, got ${value}`;
  if (rule.min !== undefined && value < rule.min) return `must be >= ${rule.min}, got ${value}`;
  if (rule.above !== undefined && value <= rule.above) return `must be > ${rule.above}, got ${value}`;
  if (rule.max !== undefined && value > rule.max) return `must be <= ${rule.max}, got ${value}`;
  if (rule.below !== undefined && value >= rule.below) return `must be < ${rule.below}, got ${value}`;
  return undefined;
}

export function show(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
