import * as tf from '@tensorflow/tfjs-core';
import { check } from '../errors';

/** Initial values in host memory: pure, serialisable, and what a tf.Tensor is built from. */
export interface HostTensor {
  readonly values: Float32Array;
  readonly shape: readonly number[];
}

/** A float32 tensor with the values (the caller owns and disposes it). */
export function toTensor(host: HostTensor): tf.Tensor {
  return tf.tensor(host.values, [...host.shape], 'float32');
}

/** Checks a shape (non-negative integers) and returns its element count. */
export function sizeOf(shape: readonly number[], field = 'shape'): number {
  const dims = shape; // Array.isArray would narrow `shape` to any[]
  check(Array.isArray(shape), field, 'must be an array of integers');
  dims.forEach((d, i) =>
    check(Number.isInteger(d) && d >= 0, `${field}[${i}]`, `must be a non-negative integer, got ${d}`),
  );
  return dims.reduce((a, b) => a * b, 1);
}

/** Fills a new HostTensor by calling `draw` once per element, in row-major order. */
export function fill(shape: readonly number[], draw: () => number): HostTensor {
  const values = new Float32Array(sizeOf(shape));
  for (let i = 0; i < values.length; i++) values[i] = draw();
  return { values, shape: [...shape] };
}
