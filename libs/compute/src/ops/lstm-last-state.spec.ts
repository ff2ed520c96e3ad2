import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomHost, randomInt, wasmReady } from '../testing/compare-with-cpu';
import { lstmLastState } from './lstm-last-state';

type Arrays = Float32Array[];

/** The last state and the gradients of sum(h_T * w) for all four inputs, on the active backend. */
function run(
  inputs: { x: number[]; kernel: number[]; recurrent: number[]; bias: number[] },
  hosts: Arrays,
  weights: Float32Array,
): Arrays {
  return tf.tidy(() => {
    const [x, kernel, recurrent, bias] = [inputs.x, inputs.kernel, inputs.recurrent, inputs.bias].map(
      (shape, i) => tf.tensor(hosts[i], shape as [number]),
    ) as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
    const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor): tf.Scalar => {
      const h = lstmLastState(a as tf.Tensor3D, b as tf.Tensor2D, c as tf.Tensor2D, d as tf.Tensor1D);
      return tf.sum(tf.mul(h, tf.tensor(weights, h.shape)));
    };
    const h = lstmLastState(x, kernel, recurrent, bias);
    const grads = tf.grads(f)([x, kernel, recurrent, bias]);
    return [h, ...grads].map((t) => Float32Array.from(t.dataSync()));
  });
}

let worst = 0;

describe('lstmLastState: the fused wasm recurrence matches the tfjs-op recurrence on cpu', () => {
  beforeAll(() => wasmReady());
  afterAll(() => console.info(`lstm max relative error: ${worst}`));

  // Units a multiple of 4 take the SIMD steps, others the JS ones; then random sizes.
  const fixed = [
    [3, 5, 4, 8],
    [2, 7, 28, 4],
    [1, 3, 2, 5],
  ];
  it.each([
    ...fixed,
    ...Array.from({ length: 3 }, () => [randomInt(1, 4), randomInt(1, 6), randomInt(1, 7), randomInt(1, 9)]),
  ])('batch %i, steps %i, depth %i, units %i: value and gradients', async (batch, steps, depth, units) => {
    const shapes = {
      x: [batch, steps, depth],
      kernel: [depth, 4 * units],
      recurrent: [units, 4 * units],
      bias: [4 * units],
    };
    const hosts = [shapes.x, shapes.kernel, shapes.recurrent, shapes.bias].map(
      (s) => randomHost(s).values as Float32Array,
    );
    const weights = randomHost([batch, units]).values as Float32Array;
    await tf.setBackend('cpu');
    const reference = run(shapes, hosts, weights);
    await tf.setBackend('wasm');
    const actual = run(shapes, hosts, weights);
    reference.forEach((ref, k) => {
      const scale = ref.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const diff = ref.reduce((m, v, i) => Math.max(m, Math.abs(v - actual[k][i])), 0);
      const error = scale === 0 ? diff : diff / scale;
      worst = Math.max(worst, error);
      expect(error).toBeLessThan(1e-4);
    });
  });

  it('leaves no tensors behind after a gradient', () => {
    const x = tf.randomNormal<tf.Rank.R3>([2, 3, 4]);
    const params = [tf.randomNormal([4, 20]), tf.randomNormal([5, 20]), tf.zeros([20])];
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grads((k: tf.Tensor, r: tf.Tensor, b: tf.Tensor) =>
        tf.sum(lstmLastState(x, k as tf.Tensor2D, r as tf.Tensor2D, b as tf.Tensor1D)),
      )(params);
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, ...params]);
  });
});
