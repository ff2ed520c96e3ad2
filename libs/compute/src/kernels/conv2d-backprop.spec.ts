import { backend_util, Conv2DBackpropFilter, Conv2DBackpropInput } from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomHost, randomInt, relativeErrorVsCpu, wasmReady } from '../testing/compare-with-cpu';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
interface ConvCase {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: Pad;
}

const fixed: ConvCase[] = [
  { x: [2, 9, 7, 3], filter: [3, 3, 3, 5], strides: [1, 1], pad: 'same' },
  { x: [1, 8, 8, 2], filter: [3, 3, 2, 4], strides: [2, 2], pad: 'same' },
  { x: [3, 11, 10, 4], filter: [5, 3, 4, 6], strides: [2, 1], pad: 'valid' },
  { x: [1, 7, 7, 1], filter: [2, 2, 1, 3], strides: [2, 2], pad: 'valid' },
  {
    x: [2, 6, 5, 3],
    filter: [3, 2, 3, 2],
    strides: [1, 2],
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
  { x: [4, 28, 28, 1], filter: [3, 3, 1, 16], strides: [1, 1], pad: 'same' },
  { x: [4, 14, 14, 16], filter: [3, 3, 16, 32], strides: [1, 1], pad: 'same' },
];

function randomCase(): ConvCase {
  const f: [number, number] = [randomInt(1, 5), randomInt(1, 5)];
  return {
    x: [randomInt(1, 3), randomInt(f[0], 13), randomInt(f[1], 13), randomInt(1, 6)],
    filter: [f[0], f[1], 0, randomInt(1, 7)],
    strides: [randomInt(1, 3), randomInt(1, 3)],
    pad: Math.random() < 0.5 ? 'same' : 'valid',
  };
}

const worst = { filter: 0, input: 0 };

describe('Conv2D gradients on wasm match the cpu backend', () => {
  beforeAll(() => wasmReady());
  afterAll(() => console.info(`conv2d max relative error: ${JSON.stringify(worst)}`));

  const cases = [...fixed, ...Array.from({ length: 6 }, randomCase)];
  it.each(cases.map((c, i) => [i, c] as const))('case %i', async (_i, c) => {
    const filterShape: [number, number, number, number] = [c.filter[0], c.filter[1], c.x[3], c.filter[3]];
    const info = backend_util.computeConv2DInfo(c.x, filterShape, c.strides, 1, c.pad);
    const dy = randomHost(info.outShape);
    const common = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC' };

    const filterError = await relativeErrorVsCpu(
      Conv2DBackpropFilter,
      { x: randomHost(c.x), dy },
      { ...common, filterShape },
    );
    const inputError = await relativeErrorVsCpu(
      Conv2DBackpropInput,
      { dy, filter: randomHost(filterShape) },
      { ...common, inputShape: c.x },
    );
    worst.filter = Math.max(worst.filter, filterError);
    worst.input = Math.max(worst.input, inputError);
    expect(filterError).toBeLessThan(1e-4);
    expect(inputError).toBeLessThan(1e-4);
  });
});
