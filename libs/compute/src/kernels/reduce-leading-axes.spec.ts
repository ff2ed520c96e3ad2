import { Mean, Sum } from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomHost, relativeErrorVsCpu, wasmReady } from '../testing/compare-with-cpu';

const cases: [number[], number[], boolean][] = [
  [[64, 28, 28, 16], [0, 1, 2], false],
  [[8, 14, 14, 32], [0, 1, 2], true],
  [[5, 7, 3], [0], false],
  [[5, 7, 3], [1, 0], true],
  [[3, 4, 5], [2], false],
  [[3, 4, 5], [0, 2], false],
  [[1, 9], [0], false],
  [[64, 1, 28, 1, 1, 64], [0, 2, 4], false],
  [[64, 1, 28, 1, 1, 64], [0, 2, 4], true],
  [[1, 64, 1, 28, 64, 1], [0, 2, 4], false],
  [[1, 5, 1], [0, 2], true],
];

let worst = 0;

describe('Sum and Mean on wasm match the cpu backend', () => {
  beforeAll(() => wasmReady());
  afterAll(() => console.info(`sum/mean max relative error: ${worst}`));

  it.each(cases)('shape %j axes %j keepDims %s', async (shape, axis, keepDims) => {
    const x = randomHost(shape);
    for (const kernel of [Sum, Mean]) {
      const error = await relativeErrorVsCpu(kernel, { x }, { axis, keepDims });
      worst = Math.max(worst, error);
      expect(error).toBeLessThan(1e-4);
    }
  });
});
