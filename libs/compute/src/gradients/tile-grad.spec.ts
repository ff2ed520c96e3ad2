import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomHost, randomInt, wasmReady } from '../testing/compare-with-cpu';

/** tfjs-core's own Tile gradient (one Slice + Add per repetition), written out as the reference. */
function sliceSumGrad(dy: tf.Tensor, shape: number[], reps: number[]): tf.Tensor {
  let total = tf.zeros(shape);
  const index = reps.map(() => 0);
  for (;;) {
    total = tf.add(
      total,
      tf.slice(
        dy,
        index.map((r, i) => r * shape[i]),
        shape,
      ),
    );
    let axis = reps.length - 1;
    while (axis >= 0 && ++index[axis] === reps[axis]) index[axis--] = 0;
    if (axis < 0) return total;
  }
}

describe('Tile gradient', () => {
  beforeAll(() => wasmReady());

  it.each(Array.from({ length: 6 }, (_, i) => i))('matches the slice-and-add sum (case %i)', (i) => {
    const rank = (i % 4) + 1;
    const shape = Array.from({ length: rank }, () => randomInt(1, 4));
    const reps = Array.from({ length: rank }, () => randomInt(1, 3));
    const host = randomHost(shape);
    const w = randomHost(shape.map((d, a) => d * reps[a]));
    tf.tidy(() => {
      const x = tf.tensor(host.values, shape);
      const weights = tf.tensor(w.values, w.shape);
      const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.tile(t, reps), weights)))(x);
      const expected = sliceSumGrad(weights, shape, reps);
      const diff = tf.max(tf.abs(tf.sub(grad, expected))).dataSync()[0];
      expect(grad.shape).toEqual(shape);
      expect(diff).toBeLessThan(1e-5);
    });
  });
});
