import * as tf from '@tensorflow/tfjs';

/** The tfjs backend models are built on now (e.g. "wasm", "cpu", "tensorflow"). */
export function activeBackend(): string {
  return tf.getBackend();
}
