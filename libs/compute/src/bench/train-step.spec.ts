import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { wasmReady } from '../testing/compare-with-cpu';
import { REFERENCE_MODELS } from './reference-models';
import { randomBatches, sgdTrainer } from './train-step';

// Native backends join the list where their packages are installed (the bench activates them too).
const BACKENDS = ['wasm', 'cpu'];
// Same layers on smaller inputs: the plain cpu backend needs ~0.4 s for one full-size CNN step.
const SMALL_INPUTS: Record<string, number[]> = {
  'reference-cnn': [8, 8, 1],
  'reference-mlp': [28, 28, 1],
  'reference-lstm': [6, 28],
  'reference-transformer': [6, 28],
};

describe('training leaves no tensors behind', () => {
  beforeAll(() => wasmReady(2));

  for (const backend of BACKENDS) {
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
      }, 20_000);
    }
  }
});
