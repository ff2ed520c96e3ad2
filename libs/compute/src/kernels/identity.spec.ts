import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { wasmReady } from '../testing/compare-with-cpu';

describe('Identity on wasm', () => {
  beforeAll(() => wasmReady());

  it('shares the data and keeps it alive until both tensors are disposed', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor([1, 2, 3], [3], 'float32');
    const y = tf.clone(x);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
