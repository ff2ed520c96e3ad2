import { describe, expect, it } from 'vitest';
import { BatchLoader } from './batch-loader';
import { resolveNormalization } from './normalization';
import { datasetOf, imageSet } from '../test-support/test-sets';

describe('resolveNormalization', () => {
  const set = imageSet(50, 4, 4, 3);

  it('defaults to the source values (stored * storedScale)', () => {
    const none = resolveNormalization(undefined, datasetOf(set, 1 / 255));
    expect(none.kind).toBe('none');
    expect(none.multiplier).toEqual([1 / 255, 1 / 255, 1 / 255]);
    expect(none.offset).toEqual([0, 0, 0]);
  });

  it('scales by the dataset default or the given scale', () => {
    expect(resolveNormalization({ kind: 'scale' }, datasetOf(set, 1, 1 / 255)).multiplier[0]).toBeCloseTo(
      1 / 255,
      12,
    );
    expect(resolveNormalization({ kind: 'scale', scale: 2 }, datasetOf(set)).multiplier).toEqual([2, 2, 2]);
  });

  it('standardises each channel to mean 0 and std 1 with statistics from the training split', () => {
    const normalization = resolveNormalization({ kind: 'standardize' }, datasetOf(set, 1, 1 / 255));
    const batch = new BatchLoader(set, { batchSize: 50, normalization, shuffle: false }).batch({
      epoch: 0,
      batchIndex: 0,
    });
    for (let c = 0; c < 3; c++) {
      const values = Array.from(batch.x).filter((_, i) => i % 3 === c);
      const mean = values.reduce((a, b) => a + b) / values.length;
      const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
      expect(mean).toBeCloseTo(0, 5);
      expect(std).toBeCloseTo(1, 4);
    }
  });

  it('uses given statistics, broadcasting one value to all channels', () => {
    const n = resolveNormalization(
      { kind: 'standardize', scale: 1, mean: [0.5], std: [0.25] },
      datasetOf(set),
    );
    expect(n.multiplier).toEqual([4, 4, 4]);
    expect(n.offset).toEqual([-2, -2, -2]);
  });

  it('rejects bad statistics naming the field', () => {
    const d = datasetOf(set);
    expect(() => resolveNormalization({ kind: 'standardize', mean: [1, 2] }, d)).toThrow(
      /^normalization\.mean: has 2 values/,
    );
    expect(() => resolveNormalization({ kind: 'standardize', std: [1, 0, 1] }, d)).toThrow(
      /^normalization\.std\[1\]: must be finite and > 0/,
    );
    expect(() => resolveNormalization({ kind: 'scale', scale: 0 }, d)).toThrow(/^normalization\.scale/);
  });
});
