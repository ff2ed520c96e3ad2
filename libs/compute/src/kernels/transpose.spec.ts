import { Transpose } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type HostTensor,
  randomHost,
  randomInt,
  relativeErrorVsCpu,
  wasmReady,
} from '../testing/compare-with-cpu';
import { simplifyPermutation } from './transpose';

function randomPerm(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  for (let i = rank - 1; i > 0; i--) {
    const j = randomInt(0, i);
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  return perm;
}

describe('Transpose on wasm matches the cpu backend', () => {
  beforeAll(() => wasmReady());

  it('merges axes that stay together and drops size-1 axes', () => {
    expect(simplifyPermutation([64, 28, 3, 4, 16], [2, 0, 3, 1, 4])).toEqual({
      shape: [64, 28, 3, 4, 16],
      perm: [2, 0, 3, 1, 4],
    });
    expect(simplifyPermutation([2, 3, 4, 5], [0, 2, 3, 1])).toEqual({ shape: [2, 3, 20], perm: [0, 2, 1] });
    expect(simplifyPermutation([2, 1, 4], [2, 1, 0])).toEqual({ shape: [2, 4], perm: [1, 0] });
  });

  it.each([
    [
      [64, 28, 3, 4, 16],
      [2, 0, 3, 1, 4],
    ],
    [
      [4, 7, 28, 16],
      [0, 2, 1, 3],
    ],
    [
      [784, 128],
      [1, 0],
    ],
    [
      [1, 5, 1],
      [2, 0, 1],
    ],
    ...Array.from({ length: 6 }, () => {
      const rank = randomInt(1, 6);
      return [Array.from({ length: rank }, () => randomInt(1, 5)), randomPerm(rank)];
    }),
  ])('shape %j perm %j', async (shape, perm) => {
    expect(await relativeErrorVsCpu(Transpose, { x: randomHost(shape) }, { perm })).toBe(0);
    const ints: HostTensor = {
      shape,
      dtype: 'int32',
      values: Int32Array.from(randomHost(shape).values, (v) => Math.round(v * 100)),
    };
    expect(await relativeErrorVsCpu(Transpose, { x: ints }, { perm })).toBe(0);
  });
});
