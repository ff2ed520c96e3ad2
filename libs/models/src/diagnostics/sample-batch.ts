import { Rng } from '@athanor/training-core';
import * as tf from '@tensorflow/tfjs';
import { type ModelPlan, sizeOf } from '../plan';

export interface RandomSampleOptions {
  /** Mean of the Gaussian inputs. Default 0. */
  readonly mean?: number;
  /** Standard deviation of the Gaussian inputs. Default 1. */
  readonly std?: number;
}

/**
 * A seeded sample batch for a plan: Gaussian features (or uniform token ids below the vocabulary)
 * and uniform labels, as one-hot. The caller disposes both tensors.
 */
export function randomBatch(
  plan: ModelPlan,
  batchSize: number,
  seed: number,
  options: RandomSampleOptions = {},
): { xs: tf.Tensor; ys: tf.Tensor } {
  const rng = new Rng(seed);
  const n = batchSize * sizeOf(plan.inputShape);
  const shape = [batchSize, ...plan.inputShape];
  let xs: tf.Tensor;
  if (plan.inputDtype === 'int32') {
    const ids = new Int32Array(n);
    for (let i = 0; i < n; i++) ids[i] = rng.int(plan.vocabSize ?? 1);
    xs = tf.tensor(ids, shape, 'int32');
  } else {
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = rng.normal(options.mean ?? 0, options.std ?? 1);
    xs = tf.tensor(values, shape, 'float32');
  }
  const labels = new Int32Array(batchSize);
  for (let i = 0; i < batchSize; i++) labels[i] = rng.int(plan.numClasses);
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), plan.numClasses).toFloat());
  return { xs, ys };
}
