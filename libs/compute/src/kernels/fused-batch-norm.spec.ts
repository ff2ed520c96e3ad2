import { FusedBatchNorm } from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HostTensor, randomHost, relativeErrorVsCpu, wasmReady } from '../testing/compare-with-cpu';

const positive = (shape: number[]): HostTensor => {
  const h = randomHost(shape);
  h.values.forEach((v, i) => (h.values[i] = Math.abs(v) + 0.1));
  return h;
};

let worst = 0;

describe('FusedBatchNorm on wasm matches the cpu backend', () => {
  beforeAll(() => wasmReady());
  afterAll(() => console.info(`fusedBatchNorm max relative error: ${worst}`));

  it.each([
    [[8, 28, 28, 16], [16], true],
    [[4, 7, 32], [32], false],
    [[5, 3], [3], true],
    [[2, 6, 10], [2, 6, 10], true],
  ])(
    'x %j, statistics %j, with scale and offset %s',
    async (xShape, pShape, affine) => {
      const inputs: Record<string, HostTensor> = {
        x: randomHost(xShape),
        mean: randomHost(pShape),
        variance: positive(pShape),
      };
      if (affine) Object.assign(inputs, { offset: randomHost(pShape), scale: randomHost(pShape) });
      const error = await relativeErrorVsCpu(FusedBatchNorm, inputs, { varianceEpsilon: 1e-5 });
      worst = Math.max(worst, error);
      expect(error).toBeLessThan(1e-4);
    },
    20_000,
  );
});
