import { describe, expect, it } from 'vitest';
import { encodeNpy, parseNpy } from './npy';

describe('parseNpy', () => {
  it.each([1, 2, 3] as const)('reads format version %i headers', (version) => {
    const bytes = encodeNpy([2, 3], Float32Array.from([1, 2, 3, 4, 5, 6.5]), { version });
    const view = Buffer.from(bytes);
    const dataStart = version === 1 ? 10 + view.readUInt16LE(8) : 12 + view.readUInt32LE(8);
    expect(dataStart % 64).toBe(0); // numpy aligns the data to 64 bytes
    const parsed = parseNpy(bytes, 'f');
    expect(parsed.shape).toEqual([2, 3]);
    expect([...parsed.data]).toEqual([1, 2, 3, 4, 5, 6.5]);
  });

  it('reads float64, uint8, int32 and int64 little-endian arrays', () => {
    expect([...parseNpy(encodeNpy([2], Float64Array.from([0.1, -3])), 'f').data]).toEqual([0.1, -3]);
    const u8 = parseNpy(encodeNpy([3], Uint8Array.from([0, 128, 255])), 'f');
    expect(u8.data).toBeInstanceOf(Uint8Array);
    expect([...u8.data]).toEqual([0, 128, 255]);
    expect([...parseNpy(encodeNpy([2], Int32Array.from([-1, 9])), 'f').data]).toEqual([-1, 9]);
    expect([...parseNpy(encodeNpy([2], BigInt64Array.from([5n, -7n])), 'f').data]).toEqual([5, -7]);
  });

  it('reads 1-d shapes written as (n,)', () => {
    expect(parseNpy(encodeNpy([4], new Uint8Array(4)), 'f').shape).toEqual([4]);
  });

  it('rejects Fortran order, big-endian and unsupported dtypes by name', () => {
    const fortran = encodeNpy([2, 2], new Float32Array(4), { fortranOrder: true });
    expect(() => parseNpy(fortran, 'files.trainPath')).toThrow(/^files\.trainPath: NPY: Fortran-order/);
    expect(() => parseNpy(encodeNpy([2], new Float32Array(2), { descr: '>f4' }), 'x')).toThrow(
      /unsupported dtype '>f4' \(big-endian\)/,
    );
    expect(() => parseNpy(encodeNpy([2], new Float32Array(2), { descr: '<f2' }), 'x')).toThrow(
      /unsupported dtype '<f2'/,
    );
    expect(() => parseNpy(encodeNpy([1], new Float64Array(1), { descr: '<c16' }), 'x')).toThrow(
      /unsupported dtype/,
    );
  });

  it('rejects int64 values beyond 2^53', () => {
    expect(() => parseNpy(encodeNpy([1], BigInt64Array.from([2n ** 60n])), 'x')).toThrow(
      /not exactly representable/,
    );
  });

  it('rejects truncated files, bad magic, bad versions and malformed headers', () => {
    const bytes = encodeNpy([4, 4], new Float32Array(16));
    expect(() => parseNpy(bytes.subarray(0, bytes.length - 3), 'x')).toThrow(/truncated: shape \(4, 4\)/);
    expect(() => parseNpy(bytes.subarray(0, 20), 'x')).toThrow(/truncated header/);
    expect(() => parseNpy(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), 'x')).toThrow(/bad magic/);
    const v9 = Uint8Array.from(bytes);
    v9[6] = 9;
    expect(() => parseNpy(v9, 'x')).toThrow(/unsupported format version 9/);
    const garbled = Uint8Array.from(bytes);
    garbled.set(Buffer.from("{'dscr'"), 10);
    expect(() => parseNpy(garbled, 'x')).toThrow(/malformed header/);
    expect(() => parseNpy(new Uint8Array([...bytes, 1]), 'x')).toThrow(/beyond the data/);
  });
});
