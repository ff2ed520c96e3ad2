import { ValidationError } from '@athanor/training-core';
import type { NumericArray } from './numeric-array';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** The dtypes read (little-endian; `|u1` has no byte order). */
const NPY_DTYPES: Record<string, number> = { '<f4': 4, '<f8': 8, '|u1': 1, '<u1': 1, '<i4': 4, '<i8': 8 };

/**
 * Parses a NumPy `.npy` file (format versions 1.0, 2.0 and 3.0, numpy/lib/format.py): magic,
 * version, a little-endian header length (2 bytes in v1, 4 in v2/v3), a Python-dict header with
 * `descr`, `fortran_order` and `shape`, then the raw array. Only C order and the dtypes above are
 * read; anything else is rejected by name rather than misread.
 */
export function parseNpy(bytes: Uint8Array, field: string): NumericArray {
  const fail = (description: string): never => {
    throw new ValidationError({ field, description: `NPY: ${description}` });
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail('bad magic number (not a .npy file)');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerStart = 10;
    headerLength = view.getUint16(8, true);
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail('truncated header');
    headerStart = 12;
    headerLength = view.getUint32(8, true);
  } else {
    return fail(`unsupported format version ${major}.${bytes[7]} (1.0, 2.0 and 3.0 are read)`);
  }
  const dataStart = headerStart + headerLength;
  if (bytes.length < dataStart) fail(`truncated header: needs ${dataStart} bytes, file has ${bytes.length}`);
  // v1/v2 headers are latin1, v3 utf8; the keys and values read here are ASCII either way.
  const header = Buffer.from(bytes.buffer, bytes.byteOffset + headerStart, headerLength).toString(
    major === 3 ? 'utf8' : 'latin1',
  );
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    return fail(`malformed header ${JSON.stringify(header.trim())}`);
  }
  if (fortran === 'True')
    fail('Fortran-order arrays are not supported; save with C order (np.ascontiguousarray)');
  const itemBytes = NPY_DTYPES[descr];
  if (itemBytes === undefined) {
    fail(
      `unsupported dtype '${descr}'${descr.startsWith('>') ? ' (big-endian)' : ''}; ` +
        'supported: <f4, <f8, |u1, <i4, <i8 (little-endian)',
    );
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isSafeInteger(n) || n < 0) fail(`bad dimension '${s}' in shape (${shapeText})`);
      return n;
    });
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = dataStart + count * itemBytes;
  if (bytes.length < expected) {
    fail(
      `truncated: shape (${shape.join(', ')}) of ${descr} needs ${expected} bytes, file has ${bytes.length}`,
    );
  }
  if (bytes.length > expected)
    fail(`${bytes.length - expected} bytes beyond the data of shape (${shape.join(', ')})`);
  return { shape, data: readLittleEndian(view, dataStart, count, descr, fail) };
}

function readLittleEndian(
  view: DataView,
  offset: number,
  count: number,
  descr: string,
  fail: (d: string) => never,
): NumericArray['data'] {
  switch (descr) {
    case '|u1':
    case '<u1':
      return new Uint8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + count));
    case '<f4': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, true);
      return out;
    }
    case '<f8': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, true);
      return out;
    }
    case '<i4': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, true);
      return out;
    }
    default: {
      // int64: exact as a double up to 2^53, which covers any label or pixel; larger is an error.
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) {
        const v = view.getBigInt64(offset + 8 * i, true);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
          fail(`int64 value ${v} at index ${i} is not exactly representable`);
        }
        out[i] = Number(v);
      }
      return out;
    }
  }
}

/** Writes a v1.0 `.npy` file's bytes (C order); used by tests and tools. */
export function encodeNpy(
  shape: readonly number[],
  data: Uint8Array | Float32Array | Float64Array | Int32Array | BigInt64Array,
  options: { version?: 1 | 2 | 3; fortranOrder?: boolean; descr?: string } = {},
): Uint8Array {
  const descr =
    options.descr ??
    (data instanceof Uint8Array
      ? '|u1'
      : data instanceof Float32Array
        ? '<f4'
        : data instanceof Float64Array
          ? '<f8'
          : data instanceof Int32Array
            ? '<i4'
            : '<i8');
  const version = options.version ?? 1;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': ${options.fortranOrder ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const prefix = version === 1 ? 10 : 12;
  // numpy pads the header with spaces so the data starts on a 64-byte boundary, ending in '\n'.
  const total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  dict = dict.padEnd(total - prefix - 1, ' ') + '\n';
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(total + body.length);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, dict.length, true);
  else view.setUint32(8, dict.length, true);
  out.set(Buffer.from(dict, 'latin1'), prefix);
  out.set(body, total);
  return out;
}
