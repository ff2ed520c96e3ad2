import { AvgPoolGrad, backend_util, MaxPool, MaxPoolGrad } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HostTensor,
  randomHost,
  randomInt,
  relativeErrorVsCpu,
  wasmReady,
} from '../testing/compare-with-cpu';

interface PoolCase {
  x: [number, number, number, number];
  filterSize: [number, number];
  strides: [number, number];
  pad: 'same' | 'valid';
}

const fixed: PoolCase[] = [
  { x: [4, 28, 28, 16], filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
  { x: [2, 9, 7, 3], filterSize: [3, 3], strides: [2, 2], pad: 'same' },
  { x: [1, 7, 9, 2], filterSize: [3, 2], strides: [1, 1], pad: 'same' },
  { x: [3, 11, 10, 5], filterSize: [2, 3], strides: [2, 1], pad: 'valid' },
  { x: [1, 5, 5, 1], filterSize: [5, 5], strides: [1, 1], pad: 'valid' },
  { x: [2, 9, 7, 8], filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
  { x: [1, 6, 6, 3], filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
];

function randomCase(): PoolCase {
  const f: [number, number] = [randomInt(1, 4), randomInt(1, 4)];
  return {
    x: [randomInt(1, 3), randomInt(f[0], 12), randomInt(f[1], 12), randomInt(1, 6)],
    filterSize: f,
    strides: [randomInt(1, 3), randomInt(1, 3)],
    pad: Math.random() < 0.5 ? 'same' : 'valid',
  };
}

/** The forward max pool on the cpu backend: MaxPoolGrad takes it as an input. */
async function maxPoolOnCpu(x: HostTensor, c: PoolCase): Promise<HostTensor> {
  const prior = tf.getBackend();
  await tf.setBackend('cpu');
  const out = tf.tidy(() => {
    const y = tf.engine().runKernel<tf.Tensor>(MaxPool, { x: tf.tensor(x.values, x.shape) }, { ...c });
    return { shape: y.shape, values: Float32Array.from(y.dataSync()) };
  });
  await tf.setBackend(prior);
  return out;
}

const worst = { maxPoolGrad: 0, avgPoolGrad: 0 };

describe('pooling gradients on wasm match the cpu backend', () => {
  it('routes like the cpu backend when windows hold -Infinity or NaN', async () => {
    await wasmReady();
    const c: PoolCase = { x: [1, 4, 4, 4], filterSize: [2, 2], strides: [2, 2], pad: 'valid' };
    const x = randomHost(c.x, true);
    [0, 1, 4, 5, 17, 20, 33, 40].forEach((i) => (x.values[i] = Number.NEGATIVE_INFINITY));
    [2, 6, 18, 22, 35].forEach((i) => (x.values[i] = Number.NaN));
    const dy = randomHost([1, 2, 2, 4]);
    // The forward output only feeds shape checks here; NaN would poison a cpu-side max pool.
    const output = { shape: [1, 2, 2, 4], values: new Float32Array(16) };
    expect(await relativeErrorVsCpu(MaxPoolGrad, { dy, input: x, output }, { ...c })).toBe(0);
  });

  beforeAll(() => wasmReady());
  afterAll(() => console.info(`pooling max relative error: ${JSON.stringify(worst)}`));

  const cases = [...fixed, ...Array.from({ length: 6 }, randomCase)];
  it.each(cases.map((c, i) => [i, c] as const))('case %i', async (_i, c) => {
    const info = backend_util.computePool2DInfo(c.x, c.filterSize, c.strides, 1, c.pad);
    const dy = randomHost(info.outShape);
    // Post-ReLU inputs: whole windows of zeros test the tie rule.
    const x = randomHost(c.x, true);
    const maxError = await relativeErrorVsCpu(
      MaxPoolGrad,
      { dy, input: x, output: await maxPoolOnCpu(x, c) },
      { ...c },
    );
    const avgError = await relativeErrorVsCpu(AvgPoolGrad, { dy, input: x }, { ...c });
    worst.maxPoolGrad = Math.max(worst.maxPoolGrad, maxError);
    worst.avgPoolGrad = Math.max(worst.avgPoolGrad, avgError);
    expect(maxError).toBeLessThan(1e-4);
    expect(avgError).toBeLessThan(1e-4);
  });
});
