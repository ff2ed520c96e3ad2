import { ValidationError } from '@athanor/training-core';
import type { FeatureArray } from '../example-set';

/** What a parser hands back: the array in its file's dtype (host byte order) and its shape. */
export interface NumericArray {
  readonly shape: readonly number[];
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/** Features as stored: bytes stay bytes (4x smaller, and the cache's format); the rest float32. */
export function toFeatures(array: NumericArray): FeatureArray {
  if (array.data instanceof Uint8Array || array.data instanceof Float32Array) return array.data;
  return Float32Array.from(array.data);
}

/** Labels as class indices, rejecting anything that is not a non-negative integer. */
export function toLabels(data: ArrayLike<number>, field: string): Int32Array {
  const labels = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const y = data[i];
    if (!Number.isInteger(y) || y < 0 || y > 0x7fffffff) {
      throw new ValidationError({
        field,
        description: `label ${i} is ${y}; labels must be non-negative integers (class indices)`,
      });
    }
    labels[i] = y;
  }
  return labels;
}
