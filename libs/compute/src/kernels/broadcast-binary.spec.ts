import { Add, Multiply, RealDiv, Sub } from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomHost, relativeErrorVsCpu, wasmReady } from '../testing/compare-with-cpu';

const cases: [number[], number[]][] = [
  [[16, 28, 28, 16], [16]],
  [
    [1, 1, 1, 16],
    [8, 14, 14, 16],
  ],
  [
    [64, 10],
    [64, 1],
  ],
  [
    [7, 1, 5, 9],
    [1, 11, 5, 1],
  ],
  [
    [3, 4],
    [3, 4],
  ],
  [[2, 3], [3]],
  [
    [1, 16, 28, 64],
    [16, 28, 64],
  ],
  [[32], [9, 14, 14, 32]],
  [
    [1, 1, 1, 32],
    [9, 14, 14, 32],
  ],
  [
    [9, 14, 14, 12],
    [1, 1, 1, 12],
  ],
];

let worst = 0;

describe('broadcasting Add, Sub, Multiply, RealDiv on wasm match the cpu backend', () => {
  beforeAll(() => wasmReady());
  afterAll(() => console.info(`broadcast binary max relative error: ${worst}`));

  it.each(cases)(
    '%j with %j',
    async (aShape, bShape) => {
      const a = randomHost(aShape);
      const b = randomHost(bShape);
      // Keep divisors away from zero so the comparison measures the kernel, not 1/0.
      b.values.forEach((v, i) => (b.values[i] = v + Math.sign(v || 1) * 0.5));
      for (const kernel of [Add, Sub, Multiply, RealDiv]) {
        const error = await relativeErrorVsCpu(kernel, { a, b }, {});
        worst = Math.max(worst, error);
        expect(error).toBeLessThan(1e-4);
      }
    },
    30_000,
  );
});
