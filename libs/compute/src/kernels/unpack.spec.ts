import { Unpack } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomHost, wasmReady } from '../testing/compare-with-cpu';

describe('Unpack on wasm matches the cpu backend', () => {
  beforeAll(() => wasmReady());

  it.each([
    [[3, 256, 28, 16], 0],
    [[4, 5, 6], 1],
    [[2, 3], -1],
    [[1, 7], 0],
  ])('shape %j axis %i', async (shape, axis) => {
    const host = randomHost(shape);
    const run = async (backend: string): Promise<number[][]> => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const outs = tf
          .engine()
          .runKernel<tf.Tensor[]>(Unpack, { value: tf.tensor(host.values, shape) }, { axis });
        return outs.map((t) => [...t.shape, ...t.dataSync()]);
      });
    };
    const reference = await run('cpu');
    const actual = await run('wasm');
    expect(actual).toEqual(reference);
  });
});
