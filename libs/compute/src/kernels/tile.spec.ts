import { Tile } from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HostTensor,
  randomHost,
  randomInt,
  relativeErrorVsCpu,
  wasmReady,
} from '../testing/compare-with-cpu';

const fixed: [number[], number[]][] = [
  [
    [1, 1, 1, 16],
    [64, 28, 28, 1],
  ],
  [[3], [4]],
  [
    [2, 3],
    [1, 1],
  ],
  [
    [2, 1, 3],
    [3, 5, 2],
  ],
  [
    [1, 4, 1, 2],
    [2, 1, 3, 1],
  ],
];

function randomCase(): [number[], number[]] {
  const rank = randomInt(1, 5);
  return [
    Array.from({ length: rank }, () => randomInt(1, 4)),
    Array.from({ length: rank }, () => randomInt(1, 4)),
  ];
}

let worst = 0;

describe('Tile on wasm matches the cpu backend', () => {
  beforeAll(() => wasmReady());
  afterAll(() => console.info(`tile max relative error: ${worst}`));

  const cases = [...fixed, ...Array.from({ length: 8 }, randomCase)];
  it.each(cases.map((c, i) => [i, c] as const))('case %i', async (_i, [shape, reps]) => {
    const error = await relativeErrorVsCpu(Tile, { x: randomHost(shape) }, { reps });
    worst = Math.max(worst, error);
    expect(error).toBe(0);
  });

  it('tiles int32 and bool tensors', async () => {
    const ints: HostTensor = { shape: [2, 3], dtype: 'int32', values: Int32Array.from([1, -2, 3, 4, 5, -6]) };
    const bools: HostTensor = { shape: [3, 1], dtype: 'bool', values: Uint8Array.from([1, 0, 1]) };
    expect(await relativeErrorVsCpu(Tile, { x: ints }, { reps: [3, 2] })).toBe(0);
    expect(await relativeErrorVsCpu(Tile, { x: bools }, { reps: [2, 4] })).toBe(0);
  });
});
