import type { FieldDescriptor, Schema } from './schema';
import { WireType, WireWriter } from './wire-writer';

/** What a mutator returns to have a field written with a wire type its decoder does not expect. */
export const WRONG_WIRE = Symbol('wrong wire type');

/**
 * Called for every present field before it is written: return the value to write (the same one, a
 * hostile one, or WRONG_WIRE). `value` is an array for repeated fields.
 */
export type Mutator = (field: FieldDescriptor, value: unknown, scope: string) => unknown;

const camelNames = new Map<string, string>();
/** snake_case -> lowerCamelCase, memoised (called for every field written). */
function camel(snake: string): string {
  let name = camelNames.get(snake);
  if (name === undefined) {
    name = snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    camelNames.set(snake, name);
  }
  return name;
}

const VARINT_TYPES = new Set([
  'TYPE_INT64',
  'TYPE_UINT64',
  'TYPE_INT32',
  'TYPE_UINT32',
  'TYPE_BOOL',
  'TYPE_ENUM',
]);
const PACKABLE = new Set([
  ...VARINT_TYPES,
  'TYPE_DOUBLE',
  'TYPE_FLOAT',
  'TYPE_SINT32',
  'TYPE_SINT64',
  'TYPE_FIXED32',
  'TYPE_SFIXED32',
  'TYPE_FIXED64',
  'TYPE_SFIXED64',
]);

/** The wire type a field's decoder expects. */
export function wireTypeOf(type: string): WireType {
  if (type === 'TYPE_DOUBLE' || type === 'TYPE_FIXED64' || type === 'TYPE_SFIXED64') return WireType.I64;
  if (type === 'TYPE_FLOAT' || type === 'TYPE_FIXED32' || type === 'TYPE_SFIXED32') return WireType.I32;
  if (VARINT_TYPES.has(type) || type === 'TYPE_SINT32' || type === 'TYPE_SINT64') return WireType.VARINT;
  return WireType.LEN;
}

/**
 * Encodes a proto3-JSON-like object (keys snake_case or lowerCamelCase, enums by name or number,
 * int64 as number, bigint or string) as the message `typeName`, by hand: doubles may be NaN, ints
 * negative or beyond their range, and any field can be given the wrong wire type.
 */
export function encodeMessage(
  schema: Schema,
  typeName: string,
  value: Record<string, unknown>,
  mutate: Mutator = (_f, v) => v,
): Buffer {
  const w = new WireWriter();
  const type = schema.message(typeName);
  for (const field of type.field) {
    const raw = value[field.name] ?? value[camel(field.name)];
    if (raw === undefined || raw === null) continue;
    const repeated = field.label === 'LABEL_REPEATED';
    const isMap = repeated && field.type === 'TYPE_MESSAGE' && isMapEntry(schema, typeName, field);
    const given =
      isMap && !Array.isArray(raw)
        ? Object.entries(raw as Record<string, unknown>).map(([k, v]) => ({ key: k, value: v }))
        : raw;
    const v = mutate(field, given, typeName);
    if (v === undefined) continue;
    if (v === WRONG_WIRE) {
      writeWrongWire(w, field);
      continue;
    }
    if (repeated && Array.isArray(v)) {
      if (PACKABLE.has(field.type) && v.length > 0) {
        const packed = new WireWriter();
        for (const item of v) writeScalar(packed, schema, typeName, field, item);
        w.tag(field.number, WireType.LEN).bytes(packed.finish());
      } else for (const item of v) writeField(w, schema, typeName, field, item, mutate);
    } else writeField(w, schema, typeName, field, v, mutate);
  }
  return w.finish();
}

function isMapEntry(schema: Schema, scope: string, field: FieldDescriptor): boolean {
  return schema.message(schema.resolve(scope, field.typeName)).options?.mapEntry === true;
}

function writeField(
  w: WireWriter,
  schema: Schema,
  scope: string,
  field: FieldDescriptor,
  value: unknown,
  mutate: Mutator,
): void {
  if (value === WRONG_WIRE) return void writeWrongWire(w, field);
  w.tag(field.number, wireTypeOf(field.type));
  if (field.type === 'TYPE_MESSAGE') {
    const nested = schema.resolve(scope, field.typeName);
    w.bytes(encodeMessage(schema, nested, (value ?? {}) as Record<string, unknown>, mutate));
  } else if (field.type === 'TYPE_STRING' || field.type === 'TYPE_BYTES') {
    w.bytes(Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'utf8'));
  } else writeScalar(w, schema, scope, field, value);
}

function writeScalar(
  w: WireWriter,
  schema: Schema,
  scope: string,
  field: FieldDescriptor,
  value: unknown,
): void {
  switch (field.type) {
    case 'TYPE_DOUBLE':
      return void w.double(Number(value));
    case 'TYPE_FLOAT':
      return void w.float(Number(value));
    case 'TYPE_FIXED32':
    case 'TYPE_SFIXED32':
      return void w.fixed32(Number(value));
    case 'TYPE_FIXED64':
    case 'TYPE_SFIXED64':
      return void w.fixed64(toBigInt(value));
    case 'TYPE_SINT32':
    case 'TYPE_SINT64': {
      const n = toBigInt(value);
      return void w.varint(n >= 0n ? n << 1n : (-n << 1n) - 1n);
    }
    case 'TYPE_BOOL':
      return void w.varint(value ? 1 : 0);
    case 'TYPE_ENUM': {
      if (typeof value === 'string' && !/^-?\d+$/.test(value)) {
        const e = schema.enumOf(schema.resolve(scope, field.typeName));
        return void w.varint(e.value.find((x) => x.name === value)?.number ?? 0);
      }
      return void w.varint(toBigInt(value));
    }
    default:
      return void w.varint(toBigInt(value));
  }
}

function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'boolean') return value ? 1n : 0n;
  const n = Number(value);
  return Number.isFinite(n) ? BigInt(Math.trunc(n)) : 0n;
}

/** The field's number with a wire type its decoder does not expect, and a payload that fits that type. */
function writeWrongWire(w: WireWriter, field: FieldDescriptor): void {
  const expected = wireTypeOf(field.type);
  if (expected === WireType.LEN) w.tag(field.number, WireType.VARINT).varint(-1);
  else if (expected === WireType.VARINT) w.tag(field.number, WireType.LEN).bytes(Buffer.from('not a number'));
  else if (expected === WireType.I64) w.tag(field.number, WireType.I32).fixed32(0xffffffff);
  else w.tag(field.number, WireType.I64).fixed64(-1n);
}
