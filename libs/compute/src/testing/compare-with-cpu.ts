import * as tf from '@tensorflow/tfjs';
import { initCompute } from '../backend/compute';

/** A kernel input as plain data, so the same values can be uploaded to each backend. */
export interface HostTensor {
  readonly shape: number[];
  readonly dtype?: 'float32' | 'int32' | 'bool';
  readonly values: Float32Array | Int32Array | Uint8Array;
}

/** Fresh standard-normal values (Box-Muller); `relu` zeroes the negatives to provoke pooling ties. */
export function randomHost(shape: number[], relu = false): HostTensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const v = Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
    values[i] = relu ? Math.max(0, v) : v;
  }
  return { shape, values };
}

export function randomInt(lo: number, hi: number): number {
  return lo + Math.floor(Math.random() * (hi - lo + 1));
}

/** Brings up the wasm backend with the training kernels (single-threaded unless asked). */
export async function wasmReady(threads = 1): Promise<void> {
  await initCompute({ ATHANOR_BACKEND: 'wasm', ATHANOR_WASM_THREADS: String(threads) });
}

/** Runs one kernel on `backend` and downloads its output. */
export async function runOn(
  backend: string,
  kernelName: string,
  inputs: Record<string, HostTensor>,
  attrs: tf.NamedAttrMap,
): Promise<{ shape: number[]; values: Float32Array }> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const tensors: tf.NamedTensorMap = {};
    for (const [name, host] of Object.entries(inputs))
      tensors[name] = tf.tensor(host.values, host.shape, host.dtype);
    const out = tf.engine().runKernel<tf.Tensor>(kernelName, tensors, attrs);
    return { shape: out.shape, values: Float32Array.from(out.dataSync()) };
  });
}

/**
 * Runs one kernel on the cpu backend (the reference) and on wasm, and returns the largest absolute
 * difference divided by the largest reference magnitude; shapes must agree.
 */
export async function relativeErrorVsCpu(
  kernelName: string,
  inputs: Record<string, HostTensor>,
  attrs: tf.NamedAttrMap,
): Promise<number> {
  const reference = await runOn('cpu', kernelName, inputs, attrs);
  const actual = await runOn('wasm', kernelName, inputs, attrs);
  await tf.setBackend('wasm');
  return relativeError(kernelName, actual, reference);
}

/** max |actual - reference| / max |reference|, after checking that the shapes agree. */
export function relativeError(
  kernelName: string,
  actual: { shape: number[]; values: Float32Array },
  reference: { shape: number[]; values: Float32Array },
): number {
  if (reference.shape.join() !== actual.shape.join()) {
    throw new Error(`${kernelName}: shape ${actual.shape.join('x')}, expected ${reference.shape.join('x')}`);
  }
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < reference.values.length; i++) {
    diff = Math.max(diff, Math.abs(actual.values[i] - reference.values[i]));
    scale = Math.max(scale, Math.abs(reference.values[i]));
  }
  if (Number.isNaN(diff)) return Number.POSITIVE_INFINITY;
  return scale === 0 ? diff : diff / scale;
}
