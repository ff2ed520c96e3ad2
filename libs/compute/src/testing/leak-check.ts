import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { REFERENCE_MODELS } from '../bench/reference-models';
import { randomBatches, sgdTrainer } from '../bench/train-step';

// Same layers on smaller inputs: the plain cpu backend needs ~0.4 s for one full-size CNN step.
const SMALL_INPUTS: Record<string, number[]> = {
  'reference-cnn': [6, 6, 1],
  'reference-mlp': [6, 6, 1],
  'reference-lstm': [4, 28],
  'reference-transformer': [4, 28],
};

/** One test per reference model: the tensor count after 100 SGD steps equals the count after 1. */
export function itTrainsWithoutLeaks(backend: string): void {
  for (const spec of REFERENCE_MODELS) {
    it(`${spec.name} on ${backend}: the tensor count after 100 steps equals the count after 1`, async () => {
      await tf.setBackend(backend);
      const inputShape = SMALL_INPUTS[spec.name];
      const model = spec.build(inputShape);
      const trainer = sgdTrainer(model);
      const batches = randomBatches(2, 2, inputShape);
      trainer.step(...batches[0]);
      const afterOne = tf.memory().numTensors;
      for (let i = 1; i < 100; i++) trainer.step(...batches[i % 2]);
      expect(tf.memory().numTensors).toBe(afterOne);
      for (const batch of batches) tf.dispose(batch);
      trainer.dispose();
      model.dispose();
    }, 30_000);
  }
}
