import { describe, expect, it } from 'vitest';
import { BatchLoader } from './batch-loader';
import { resolveNormalization } from './normalization';
import { datasetOf, imageSet } from '../test-support/test-sets';

const set = imageSet(103, 4, 4);
const identity = resolveNormalization(undefined, datasetOf(set));
const loader = (options: Partial<ConstructorParameters<typeof BatchLoader>[1]> = {}): BatchLoader =>
  new BatchLoader(set, { batchSize: 10, seed: 42, normalization: identity, ...options });

describe('BatchLoader', () => {
  it('counts iterations per epoch by drop_last', () => {
    expect(loader().batchesPerEpoch).toBe(11);
    expect(loader({ dropLast: true }).batchesPerEpoch).toBe(10);
    expect([...loader().epoch(0)].map((b) => b.size)).toEqual([...new Array<number>(10).fill(10), 3]);
    expect([...loader({ dropLast: true }).epoch(0)].every((b) => b.size === 10)).toBe(true);
  });

  it('visits every example once an epoch, in an order fixed by (seed, epoch)', () => {
    const seen = [...loader().epoch(3)].flatMap((b) => [...b.indices]);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 103 }, (_, i) => i));
    expect([...loader().order(3)]).toEqual(seen);
    expect([...loader().order(3)]).toEqual([...loader().order(3)]);
    expect([...loader().order(3)]).not.toEqual([...loader().order(4)]);
    expect([...loader({ seed: 43 }).order(3)]).not.toEqual([...loader().order(3)]);
    expect([...loader({ shuffle: false }).order(5)]).toEqual(Array.from({ length: 103 }, (_, i) => i));
  });

  it('resumes mid-epoch at (epoch, batchIndex) with the same batches as an uninterrupted run', () => {
    const straight = loader({ augmentation: { horizontalFlip: true, randomCrop: { padding: 1 } } });
    const all: number[][] = [];
    let position = { epoch: 0, batchIndex: 0 };
    for (let step = 0; step < 30; step++) {
      all.push([...straight.batch(position).x]);
      position = straight.next(position);
    }
    expect(position).toEqual({ epoch: 2, batchIndex: 8 });
    // A fresh loader (as after a restart) asked for step 17's position gives steps 17.. again.
    const resumed = loader({ augmentation: { horizontalFlip: true, randomCrop: { padding: 1 } } });
    let at = { epoch: 1, batchIndex: 6 };
    for (let step = 17; step < 30; step++) {
      expect([...resumed.batch(at).x]).toEqual(all[step]);
      at = resumed.next(at);
    }
    expect([...resumed.epoch(1, 6)].map((b) => b.position.batchIndex)).toEqual([6, 7, 8, 9, 10]);
  });

  it('carries labels with their examples and builds the batch shape', () => {
    const batch = loader().batch({ epoch: 0, batchIndex: 10 });
    expect(batch.xShape).toEqual([3, 4, 4, 1]);
    batch.indices.forEach((index, i) => {
      expect(batch.y[i]).toBe(set.labels[index]);
      expect(batch.x[i * 16 + 5]).toBe(set.features[index * 16 + 5]);
    });
  });

  it('rejects bad sizes, seeds and positions naming the field', () => {
    expect(() => loader({ batchSize: 0 })).toThrow(/^batchSize: /);
    expect(() => loader({ seed: -1 })).toThrow(/^seed: /);
    expect(() => loader().batch({ epoch: 0, batchIndex: 11 })).toThrow(
      /^position\.batchIndex: must be an integer in \[0, 11\)/,
    );
    expect(() => loader().batch({ epoch: -1, batchIndex: 0 })).toThrow(/^position\.epoch: /);
  });
});
