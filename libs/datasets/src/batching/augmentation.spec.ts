import { describe, expect, it } from 'vitest';
import { BatchLoader } from './batch-loader';
import { checkAugmentation, drawAugmentation, writeAugmented } from './augmentation';
import { resolveNormalization } from './normalization';
import { datasetOf, imageSet } from '../test-support/test-sets';

describe('augmentation', () => {
  const options = { randomCrop: { padding: 2 }, horizontalFlip: true };

  it('draws from (seed, epoch, index) only', () => {
    expect(drawAugmentation(options, 1, 2, 3)).toEqual(drawAugmentation(options, 1, 2, 3));
    const draws = Array.from({ length: 200 }, (_, i) => drawAugmentation(options, 1, 2, i));
    const flips = draws.filter((d) => d.flip).length;
    expect(flips).toBeGreaterThan(70);
    expect(flips).toBeLessThan(130);
    expect(new Set(draws.map((d) => d.dy)).size).toBe(5); // offsets 0..2p
    expect(draws.every((d) => d.dx >= 0 && d.dx <= 4)).toBe(true);
    const never = Array.from({ length: 50 }, (_, i) =>
      drawAugmentation({ horizontalFlip: true, horizontalFlipProbability: 0 }, 1, 0, i),
    );
    expect(never.some((d) => d.flip || d.dx !== 0 || d.dy !== 0)).toBe(false);
  });

  it('crops with zero padding and mirrors like torchvision RandomCrop + RandomHorizontalFlip', () => {
    // 3x3 image 1..9, padding 1. Offset (0, 0) of the padded 5x5 shifts the image down-right by one.
    const src = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const out = new Float32Array(9);
    writeAugmented(src, 0, [3, 3, 1], { dy: 0, dx: 0, flip: false }, 1, [1], [0], out, 0);
    expect([...out]).toEqual([0, 0, 0, 0, 1, 2, 0, 4, 5]);
    writeAugmented(src, 0, [3, 3, 1], { dy: 1, dx: 1, flip: true }, 1, [1], [0], out, 0);
    expect([...out]).toEqual([3, 2, 1, 6, 5, 4, 9, 8, 7]);
    // Crop then flip: crop at (2, 2) is up-left by one, then mirrored.
    writeAugmented(src, 0, [3, 3, 1], { dy: 2, dx: 2, flip: true }, 1, [1], [0], out, 0);
    expect([...out]).toEqual([0, 6, 5, 0, 9, 8, 0, 0, 0]);
    // Padding is black before normalisation: (0 - 0.5) / 0.25 = -2.
    writeAugmented(src, 0, [3, 3, 1], { dy: 0, dx: 0, flip: false }, 1, [4], [-2], out, 0);
    expect(out[0]).toBe(-2);
  });

  it('gives an example the same augmentation whatever the batch size or position', () => {
    const set = imageSet(40, 6, 6, 3);
    const normalization = resolveNormalization(undefined, datasetOf(set));
    const byIndex = (batchSize: number): Map<number, number[]> => {
      const loader = new BatchLoader(set, { batchSize, seed: 9, normalization, augmentation: options });
      const map = new Map<number, number[]>();
      for (const b of loader.epoch(1))
        b.indices.forEach((index, i) => map.set(index, [...b.x.subarray(i * 108, (i + 1) * 108)]));
      return map;
    };
    const a = byIndex(8);
    const b = byIndex(13);
    for (let i = 0; i < 40; i++) expect(b.get(i)).toEqual(a.get(i));
    // ...and it changes with the epoch.
    const loader = new BatchLoader(set, {
      batchSize: 40,
      seed: 9,
      normalization,
      augmentation: options,
      shuffle: false,
    });
    expect([...loader.batch({ epoch: 1, batchIndex: 0 }).x]).not.toEqual([
      ...loader.batch({ epoch: 2, batchIndex: 0 }).x,
    ]);
  });

  it('is only for HWC images and validates its options', () => {
    expect(() => checkAugmentation({ horizontalFlip: true }, [10])).toThrow(/^augmentation: needs images/);
    expect(() => checkAugmentation({ randomCrop: { padding: 0 } }, [4, 4, 1])).toThrow(
      /^augmentation\.randomCrop\.padding/,
    );
    expect(() =>
      checkAugmentation({ horizontalFlip: true, horizontalFlipProbability: 2 }, [4, 4, 1]),
    ).toThrow(/^augmentation\.horizontalFlipProbability/);
    expect(() => checkAugmentation({}, [10])).not.toThrow();
  });
});
