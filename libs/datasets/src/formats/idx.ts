import { ValidationError } from '@athanor/training-core';
import type { NumericArray } from './numeric-array';

/** IDX type codes (http://yann.lecun.com/exdb/mnist/, "THE IDX FILE FORMAT") and their sizes. */
const IDX_TYPES: Record<number, { name: string; bytes: number }> = {
  0x08: { name: 'uint8', bytes: 1 },
  0x09: { name: 'int8', bytes: 1 },
  0x0b: { name: 'int16', bytes: 2 },
  0x0c: { name: 'int32', bytes: 4 },
  0x0d: { name: 'float32', bytes: 4 },
  0x0e: { name: 'float64', bytes: 8 },
};

/**
 * Parses an IDX file: magic `00 00 <type> <ndims>`, then ndims big-endian uint32 dimensions, then
 * the data, big-endian, C order. Values come back in host order. The file must hold exactly the
 * data its dimensions promise: a truncated or padded file is an error, never silently reshaped.
 */
export function parseIdx(bytes: Uint8Array, field: string): NumericArray {
  const fail = (description: string): never => {
    throw new ValidationError({ field, description: `IDX: ${description}` });
  };
  if (bytes.length < 4) fail(`file is ${bytes.length} bytes, shorter than the 4-byte magic number`);
  if (bytes[0] !== 0 || bytes[1] !== 0) fail('bad magic number (the first two bytes must be zero)');
  const type = IDX_TYPES[bytes[2]];
  if (!type) fail(`unknown data type code 0x${bytes[2].toString(16).padStart(2, '0')}`);
  const ndims = bytes[3];
  if (ndims < 1) fail('zero dimensions');
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) fail(`truncated header: ${ndims} dimensions need ${headerBytes} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndims; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * type.bytes;
  if (bytes.length < expected) {
    fail(
      `truncated: shape [${shape.join(', ')}] of ${type.name} needs ${expected} bytes, file has ${bytes.length}`,
    );
  }
  if (bytes.length > expected) {
    fail(`${bytes.length - expected} bytes beyond the data of shape [${shape.join(', ')}] (${type.name})`);
  }
  return { shape, data: readBigEndian(view, headerBytes, count, bytes[2]) };
}

function readBigEndian(view: DataView, offset: number, count: number, code: number): NumericArray['data'] {
  switch (code) {
    case 0x08:
      return new Uint8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + count));
    case 0x09:
      return new Int8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + count));
    case 0x0b: {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 0x0c: {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 0x0d: {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    default: {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}

/** Writes an IDX file's bytes (the inverse of parseIdx; used by tests and tools). */
export function encodeIdx(
  shape: readonly number[],
  data: Uint8Array | Float32Array | Int32Array,
): Uint8Array {
  const code = data instanceof Uint8Array ? 0x08 : data instanceof Int32Array ? 0x0c : 0x0d;
  const bytesPer = code === 0x08 ? 1 : 4;
  const header = 4 + 4 * shape.length;
  const out = new Uint8Array(header + data.length * bytesPer);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < data.length; i++) {
    if (code === 0x08) out[header + i] = data[i];
    else if (code === 0x0c) view.setInt32(header + 4 * i, data[i], false);
    else view.setFloat32(header + 4 * i, data[i], false);
  }
  return out;
}
