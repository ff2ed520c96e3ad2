import { describe, expect, it } from 'vitest';
import { ValidationError } from '@athanor/training-core';
import { encodeIdx, parseIdx } from './idx';

describe('parseIdx', () => {
  it('reads uint8 images with big-endian dimensions', () => {
    const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
    const bytes = encodeIdx([2, 3, 4], data);
    // The MNIST magic number for images is 0x00000803: two zeros, ubyte, three dimensions.
    expect([...bytes.subarray(0, 4)]).toEqual([0, 0, 8, 3]);
    expect([...bytes.subarray(4, 8)]).toEqual([0, 0, 0, 2]);
    const parsed = parseIdx(bytes, 'f');
    expect(parsed.shape).toEqual([2, 3, 4]);
    expect(parsed.data).toBeInstanceOf(Uint8Array);
    expect([...parsed.data]).toEqual([...data]);
  });

  it('reads big-endian int32 and float32 values', () => {
    const ints = parseIdx(encodeIdx([3], Int32Array.from([1, -2, 70000])), 'f');
    expect([...ints.data]).toEqual([1, -2, 70000]);
    const floats = parseIdx(encodeIdx([2], Float32Array.from([1.5, -0.25])), 'f');
    expect([...floats.data]).toEqual([1.5, -0.25]);
    // 1.5 as a big-endian float32 is 3f c0 00 00.
    expect([...encodeIdx([1], Float32Array.from([1.5])).subarray(8)]).toEqual([0x3f, 0xc0, 0, 0]);
  });

  it('rejects a truncated file, naming the field', () => {
    const bytes = encodeIdx([10, 28, 28], new Uint8Array(10 * 28 * 28));
    expect(() => parseIdx(bytes.subarray(0, bytes.length - 1), 'files.trainPath')).toThrow(
      /^files\.trainPath: IDX: truncated/,
    );
    expect(() => parseIdx(bytes.subarray(0, 9), 'x')).toThrow(/truncated header/);
    expect(() => parseIdx(bytes.subarray(0, 2), 'x')).toThrow(ValidationError);
  });

  it('rejects bad magic numbers, unknown types and trailing bytes', () => {
    expect(() => parseIdx(Uint8Array.from([1, 0, 8, 1, 0, 0, 0, 0]), 'x')).toThrow(/bad magic/);
    expect(() => parseIdx(Uint8Array.from([0, 0, 0x0a, 1, 0, 0, 0, 0]), 'x')).toThrow(
      /unknown data type code 0x0a/,
    );
    const padded = new Uint8Array([...encodeIdx([1], Uint8Array.from([7])), 0]);
    expect(() => parseIdx(padded, 'x')).toThrow(/1 bytes beyond/);
  });

  it('does not allocate for a header that claims an absurd size', () => {
    // 2^32-1 x 2^32-1 elements in a 12-byte file: rejected from the header alone.
    const bytes = Uint8Array.from([0, 0, 8, 2, 255, 255, 255, 255, 255, 255, 255, 255]);
    expect(() => parseIdx(bytes, 'x')).toThrow(/truncated/);
  });
});
