import { BatchMatMul } from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomHost, randomInt, relativeErrorVsCpu, wasmReady } from '../testing/compare-with-cpu';

let worst = 0;

describe('BatchMatMul on wasm matches the cpu backend', () => {
  beforeAll(() => wasmReady());
  afterAll(() => console.info(`batchMatMul max relative error: ${worst}`));

  const cases: [number, boolean, boolean][] = [];
  for (const batch of [1, 3]) {
    for (const transposeA of [false, true])
      for (const transposeB of [false, true]) cases.push([batch, transposeA, transposeB]);
  }
  it.each(cases)('batch %i transposeA %s transposeB %s', async (batch, transposeA, transposeB) => {
    const [m, k, n] = [randomInt(1, 70), randomInt(1, 70), randomInt(1, 70)];
    const a = randomHost([batch, ...(transposeA ? [k, m] : [m, k])]);
    const b = randomHost([batch, ...(transposeB ? [n, k] : [k, n])]);
    const error = await relativeErrorVsCpu(BatchMatMul, { a, b }, { transposeA, transposeB });
    worst = Math.max(worst, error);
    expect(error).toBeLessThan(1e-4);
  });

  it.each([
    [[256, 28, 16], [256, 28, 16], false, true],
    [[256, 28, 28], [256, 28, 16], true, false],
    [[4, 3, 5, 7], [7, 9], false, false],
    [[5, 7], [2, 3, 7, 6], false, false],
    [[2, 1, 5, 7], [1, 3, 7, 6], false, false],
  ] as const)(
    'batched %j x %j (transposeA %s, transposeB %s)',
    async (aShape, bShape, transposeA, transposeB) => {
      const error = await relativeErrorVsCpu(
        BatchMatMul,
        { a: randomHost([...aShape]), b: randomHost([...bShape]) },
        { transposeA, transposeB },
      );
      worst = Math.max(worst, error);
      expect(error).toBeLessThan(1e-4);
    },
  );

  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])(
    'a wide product, turned over for XNNPACK (transposeA %s, transposeB %s)',
    async (transposeA, transposeB) => {
      const [m, k, n] = [randomInt(8, 40), randomInt(256, 600), randomInt(90, 200)];
      const a = randomHost(transposeA ? [k, m] : [m, k]);
      const b = randomHost(transposeB ? [n, k] : [k, n]);
      const error = await relativeErrorVsCpu(BatchMatMul, { a, b }, { transposeA, transposeB });
      worst = Math.max(worst, error);
      expect(error).toBeLessThan(1e-4);
    },
  );

  it('keeps rank-2 operands rank-2', async () => {
    const error = await relativeErrorVsCpu(
      BatchMatMul,
      { a: randomHost([5, 784]), b: randomHost([256, 784]) },
      { transposeA: false, transposeB: true },
    );
    expect(error).toBeLessThan(1e-4);
  });
});
