import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFileDataset } from './file-dataset';
import { encodeIdx } from './formats/idx';
import { encodeNpy } from './formats/npy';
import { makeTempDir } from './test-support/temp-dir';

describe('loadFileDataset', () => {
  const temp = makeTempDir('files');
  const root = temp.dir;
  const write = (name: string, bytes: Uint8Array | string): void =>
    writeFileSync(path.join(root, name), bytes);
  const images = Uint8Array.from({ length: 5 * 4 * 4 }, (_, i) => i % 256);
  const labels = Uint8Array.from([0, 1, 2, 1, 0]);

  beforeAll(() => {
    mkdirSync(root, { recursive: true });
    write('x.idx', encodeIdx([5, 4, 4], images));
    write('y.idx', encodeIdx([5], labels));
    write('y4.idx', encodeIdx([4], labels.subarray(0, 4)));
    write('x-truncated.idx', encodeIdx([5, 4, 4], images).subarray(0, 50));
    write('x.npy', encodeNpy([5, 4, 4, 1], Float32Array.from(images)));
    write('y.npy', encodeNpy([5], BigInt64Array.from([0n, 1n, 2n, 1n, 0n])));
    write('y2d.npy', encodeNpy([5, 1], Int32Array.from(labels)));
    write('xv.npy', encodeNpy([2, 16], new Float32Array(32)));
    write('yv.npy', encodeNpy([2], Int32Array.from([3, 0])));
    write('x3.npy', encodeNpy([2, 3], new Float32Array(6)));
    write('t.csv', 'f1,f2,label\n0.5,1,1\n2,3,0\n');
  });
  afterAll(temp.cleanup);

  it('reads an IDX pair with the file shape, or a reshaped example shape', async () => {
    const loaded = await loadFileDataset(
      { format: 'idx', trainPath: 'x.idx', trainLabelsPath: 'y.idx' },
      root,
    );
    expect(loaded.train.exampleShape).toEqual([4, 4]);
    expect(loaded.train.size).toBe(5);
    expect(loaded.train.features).toBeInstanceOf(Uint8Array);
    expect([...loaded.train.labels]).toEqual([0, 1, 2, 1, 0]);
    expect(loaded.numClasses).toBe(3);
    expect(loaded.validation).toBeNull();
    const hwc = await loadFileDataset(
      {
        format: 'idx',
        trainPath: 'x.idx',
        trainLabelsPath: 'y.idx',
        exampleShape: [4, 4, 1],
        numClasses: 10,
      },
      root,
    );
    expect(hwc.train.exampleShape).toEqual([4, 4, 1]);
    expect(hwc.numClasses).toBe(10);
  });

  it('reads NPY pairs with validation files and int64 labels', async () => {
    const loaded = await loadFileDataset(
      {
        format: 'npy',
        trainPath: 'x.npy',
        trainLabelsPath: 'y.npy',
        validationPath: 'xv.npy',
        validationLabelsPath: 'yv.npy',
        exampleShape: [4, 4, 1],
      },
      root,
    );
    expect(loaded.train.features).toBeInstanceOf(Float32Array);
    expect(loaded.validation?.size).toBe(2);
    expect(loaded.validation?.exampleShape).toEqual([4, 4, 1]);
    expect(loaded.numClasses).toBe(4); // label 3 appears only in validation
  });

  it('reads a CSV table', async () => {
    const loaded = await loadFileDataset({ format: 'csv', trainPath: 't.csv', labelColumn: 'label' }, root);
    expect(loaded.train.exampleShape).toEqual([2]);
    expect([...loaded.train.features]).toEqual([0.5, 1, 2, 3]);
  });

  it.each([
    [
      { trainLabelsPath: 'y4.idx' },
      /^files\.trainLabelsPath: 4 labels, but files\.trainPath holds 5 examples/,
    ],
    [{ trainPath: 'x-truncated.idx' }, /^files\.trainPath: IDX: truncated/],
    [{ trainPath: 'nope.idx' }, /^files\.trainPath: "nope\.idx" does not exist/],
    [{ trainLabelsPath: '' }, /^files\.trainLabelsPath: required for IDX files/],
    [{ trainLabelsPath: '../y.idx' }, /^files\.trainLabelsPath: .*escapes the data root/],
    [
      { exampleShape: [28, 28, 1] },
      /^files\.exampleShape: \[28, 28, 1\] has 784 values, but each example in files\.trainPath has 16/,
    ],
    [{ numClasses: 2 }, /^files\.numClasses: is 2, but the files hold label 2/],
  ])('names the field at fault (%j)', async (override, message) => {
    await expect(
      loadFileDataset({ format: 'idx', trainPath: 'x.idx', trainLabelsPath: 'y.idx', ...override }, root),
    ).rejects.toThrow(message);
  });

  it('rejects mismatched validation shapes, 2-d labels, unknown formats and a missing data root', async () => {
    await expect(
      loadFileDataset(
        {
          format: 'npy',
          trainPath: 'x.npy',
          trainLabelsPath: 'y.npy',
          validationPath: 'x3.npy',
          validationLabelsPath: 'yv.npy',
        },
        root,
      ),
    ).rejects.toThrow(/^files\.validationPath: examples have shape \[3\]/);
    await expect(
      loadFileDataset({ format: 'npy', trainPath: 'x.npy', trainLabelsPath: 'y2d.npy' }, root),
    ).rejects.toThrow(/^files\.trainLabelsPath: labels must be one-dimensional/);
    await expect(loadFileDataset({ format: 'hdf5' as 'npy', trainPath: 'x.npy' }, root)).rejects.toThrow(
      /^files\.format/,
    );
    await expect(loadFileDataset({ format: 'npy', trainPath: 'x.npy' }, undefined)).rejects.toThrow(
      /^dataRoot: /,
    );
  });
});
