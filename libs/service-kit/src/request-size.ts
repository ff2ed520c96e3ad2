import type { FieldViolation } from './errors';

/**
 * Repeated fields (and maps) longer than this, or messages nested deeper than MAX_DEPTH, are
 * refused before a handler sees the request: every RPC of Athanor needs far fewer, and a 100k-entry
 * list costs a service seconds of validation that a caller can ask for with one small message.
 */
export const MAX_REPEATED = 10_000;
export const MAX_DEPTH = 32;

/** The fields of a decoded request that are too long or too deep, named by their JSON paths. */
export function oversizedFields(message: unknown, path = '', limit = MAX_REPEATED): FieldViolation[] {
  const out: FieldViolation[] = [];
  walk(message, path, 0, limit, out);
  return out;
}

function walk(value: unknown, path: string, depth: number, limit: number, out: FieldViolation[]): void {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || value instanceof Date)
    return;
  if (depth > MAX_DEPTH) {
    out.push({ field: path || '(request)', description: `nested deeper than ${MAX_DEPTH} levels` });
    return;
  }
  if (Array.isArray(value)) {
    if (value.length > limit) {
      out.push({ field: path, description: `at most ${limit} entries, got ${value.length}` });
      return;
    }
    value.forEach((item, i) => walk(item, `${path}[${i}]`, depth + 1, limit, out));
    return;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length > limit) {
    out.push({ field: path, description: `at most ${limit} entries, got ${keys.length}` });
    return;
  }
  for (const key of keys) {
    const child = record[key] as { $case?: unknown; value?: unknown } | null;
    // ts-proto's oneof { $case, value } under the oneof's name: proto3 JSON names only the case.
    if (child !== null && typeof child === 'object' && typeof child.$case === 'string' && 'value' in child) {
      walk(child.value, join(path, child.$case), depth + 1, limit, out);
    } else {
      walk(child, join(path, key), depth + 1, limit, out);
    }
  }
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
