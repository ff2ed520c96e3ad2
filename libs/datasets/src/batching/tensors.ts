import type { Batch } from './batch-loader';

/** One-hot rows for class indices (float32, [labels.length, numClasses]). */
export function oneHot(labels: Int32Array, numClasses: number): Float32Array {
  const out = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) out[i * numClasses + labels[i]] = 1;
  return out;
}

/**
 * The part of tfjs this library needs, described structurally so that it does not depend on
 * @tensorflow/tfjs-core: pass the `tf` namespace (`import * as tf from '@tensorflow/tfjs-core'`).
 */
export interface TensorFactory<T> {
  tensor(values: Float32Array | Int32Array, shape: number[], dtype: 'float32' | 'int32'): T;
}

/**
 * A batch as tensors: `xs` float32 [size, ...exampleShape]; `ys` one-hot float32 [size, numClasses]
 * when `numClasses` is given (for categoricalCrossentropy), else int32 class indices [size].
 * The caller owns (and disposes) both.
 */
export function batchToTensors<T>(tf: TensorFactory<T>, batch: Batch, numClasses?: number): { xs: T; ys: T } {
  const xs = tf.tensor(batch.x, [...batch.xShape], 'float32');
  const ys =
    numClasses === undefined
      ? tf.tensor(batch.y, [batch.size], 'int32')
      : tf.tensor(oneHot(batch.y, numClasses), [batch.size, numClasses], 'float32');
  return { xs, ys };
}
