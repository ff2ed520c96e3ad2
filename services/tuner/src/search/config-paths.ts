import { training } from '@athanor/contracts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** `batch_size` -> `batchSize`: proto field names and JSON names both name a TrainConfig field. */
const camel = (segment: string) => segment.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export function pathSegments(path: string): string[] {
  return path.split('.').map(camel);
}

function getAt(obj: Json | undefined, segments: readonly string[]): Json | undefined {
  let cur = obj;
  for (const s of segments) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = cur[s];
  }
  return cur;
}

const isObject = (v: Json | undefined): v is JsonObject =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Writes `value` at `segments` (creating objects on the way). An object value is merged into the
 * object there; when it has one key naming a message (e.g. `{"sgd": {}}` for the optimizer oneof),
 * it replaces the sibling keys that hold messages, since those are the oneof's other cases.
 */
export function setAt(obj: JsonObject, segments: readonly string[], value: Json): void {
  let cur = obj;
  for (const s of segments.slice(0, -1)) {
    if (!isObject(cur[s])) cur[s] = {};
    cur = cur[s];
  }
  const last = segments[segments.length - 1];
  const existing = cur[last];
  if (isObject(value) && isObject(existing)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && isObject(value[keys[0]])) {
      for (const k of Object.keys(existing)) if (k !== keys[0] && isObject(existing[k])) delete existing[k];
    }
    for (const k of keys)
      existing[k] = isObject(value[k]) && isObject(existing[k]) ? { ...existing[k], ...value[k] } : value[k];
  } else {
    cur[last] = value;
  }
}

/** Whether TrainConfig's proto3 JSON round trip keeps `value` at `segments` (the field exists and fits). */
function survives(segments: readonly string[], value: Json): boolean {
  const probe: JsonObject = {};
  setAt(probe, segments, value);
  let back: Json | undefined;
  try {
    back = training.TrainConfig.toJSON(training.TrainConfig.fromJSON(probe)) as Json;
  } catch {
    return false;
  }
  return JSON.stringify(getAt(back, segments)) === JSON.stringify(value);
}

/** Why a numeric parameter cannot be written at `path`, or undefined when it can. */
export function checkNumericPath(path: string, probes: readonly number[]): string | undefined {
  const segments = pathSegments(path);
  if (!segments.every((s) => /^[A-Za-z][A-Za-z0-9]*$/.test(s))) return `is not a field path of TrainConfig`;
  const ok = probes.filter((p) => p !== 0).every((p) => survives(segments, p));
  if (ok) return undefined;
  if (survives(segments, 1))
    return 'names an integer field of TrainConfig; use an int range or integer values';
  return `is not a numeric field of TrainConfig (unknown field, or not a number)`;
}

/**
 * How each categorical choice is written at `path`: as the string itself (string and enum fields),
 * as its JSON (`true`, `0.9`, `{"adamw":{}}`), or, for a message field, a bare name as that oneof
 * case (`sgd` -> `{"sgd":{}}`). Undefined for a choice the field cannot hold.
 */
export function categoricalEncoding(path: string, choice: string): Json | undefined {
  const segments = pathSegments(path);
  if (!segments.every((s) => /^[A-Za-z][A-Za-z0-9]*$/.test(s))) return undefined;
  const candidates: Json[] = [choice];
  try {
    candidates.push(JSON.parse(choice) as Json);
  } catch {
    // not JSON: only the string form and the oneof form apply
  }
  if (/^[A-Za-z][A-Za-z0-9_]*$/.test(choice)) candidates.push({ [camel(choice)]: {} });
  return candidates.find((c) => survives(segments, c));
}

/** The base TrainConfig (proto3 JSON) with `values` written at their paths, in order. */
export function writeParams(base: JsonObject, values: readonly { path: string; value: Json }[]): JsonObject {
  const out = structuredClone(base);
  for (const { path, value } of values) setAt(out, pathSegments(path), value);
  return out;
}

export type { Json, JsonObject };
