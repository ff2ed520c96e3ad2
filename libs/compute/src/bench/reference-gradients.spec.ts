import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wasmReady } from '../testing/compare-with-cpu';
import { REFERENCE_MODELS } from './reference-models';
import { randomBatches } from './train-step';

/** Gradients of the training loss for every trainable variable, downloaded, on the active backend. */
function gradients(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): Float32Array[] {
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  return tf.tidy(() => {
    const { grads } = tf.variableGrads(
      () =>
        tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(
          y,
          model.apply(x, { training: true }) as tf.Tensor,
        ),
      variables,
    );
    return variables.map((v) => Float32Array.from(grads[v.name].dataSync()));
  });
}

const worst: Record<string, number> = {};

describe('the wasm backend trains the reference models with the cpu backend gradients', () => {
  beforeAll(() => wasmReady(2));
  afterAll(() => console.info(`model gradient max relative error: ${JSON.stringify(worst)}`));

  for (const spec of REFERENCE_MODELS) {
    it(`${spec.name}`, async () => {
      await tf.setBackend('cpu');
      const model = spec.build();
      const [x, y] = randomBatches(1, 3, spec.inputShape)[0];
      const reference = gradients(model, x, y);
      await tf.setBackend('wasm');
      const actual = gradients(model, x, y);
      // Relative to each variable's largest gradient, floored at 1e-2 of the model's: a bias that
      // feeds a BatchNorm has an exactly-zero gradient in theory, so both backends return rounding
      // noise (~1e-9) there, and noise over noise is no measure of a kernel.
      const largest = reference.map((ref) => ref.reduce((m, r) => Math.max(m, Math.abs(r)), 0));
      const floor = 1e-2 * Math.max(...largest);
      let error = 0;
      reference.forEach((ref, v) => {
        const diff = ref.reduce((m, r, i) => Math.max(m, Math.abs(r - actual[v][i])), 0);
        error = Math.max(error, diff / Math.max(largest[v], floor));
      });
      worst[spec.name] = error;
      tf.dispose([x, y]);
      model.dispose();
      expect(error).toBeLessThan(1e-4);
    }, 30_000);
  }
});
