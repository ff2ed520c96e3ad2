import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classCounts } from '../example-set';
import { fixturePixel, writeFashionFixture } from '../test-support/fashion-fixture';
import { makeTempDir } from '../test-support/temp-dir';
import { convertFashionMnist } from './fashion-mnist';

const layout = { testPerClass: 2, trainPerClass: 5 };

describe('convertFashionMnist (fixture in the package format)', () => {
  const temp = makeTempDir('fashion');
  afterAll(temp.cleanup);
  writeFashionFixture(temp.dir, layout.testPerClass, layout.trainPerClass);

  it('skips and counts the empty rows without shifting labels', async () => {
    const data = await convertFashionMnist(temp.dir, layout);
    expect(data.skippedRows).toBe(2);
    expect(data.train.size).toBe(50);
    expect(data.validation.size).toBe(20);
    expect(classCounts(data.train, 10)).toEqual(new Array(10).fill(5));
    expect(classCounts(data.validation, 10)).toEqual(new Array(10).fill(2));
    // Every image's pixels say which class and image it came from: the label must agree, and the
    // first images of each class are the test (validation) ones, the rest training.
    const check = (set: typeof data.train, images: number[]): void => {
      for (let i = 0; i < set.size; i++) {
        const label = set.labels[i];
        const first = set.features[i * 784];
        const image = images.find((k) => fixturePixel(label, k, 0) === first);
        expect(image, `example ${i} (label ${label})`).toBeDefined();
        expect(set.features[i * 784 + 100]).toBe(fixturePixel(label, image!, 100));
      }
    };
    check(data.validation, [0, 1]);
    check(data.train, [2, 3, 4, 5, 6]);
  });

  it('rejects rows of the wrong length and classes with the wrong count, naming the file', async () => {
    const file = path.join(temp.dir, 'src', 'clothes', '3.json');
    const good = readFileSync(file, 'utf8');
    const rows = (JSON.parse(good) as { data: number[][] }).data;
    writeFileSync(file, JSON.stringify({ data: [rows[0].slice(0, 100), ...rows.slice(1)] }));
    await expect(convertFashionMnist(temp.dir, layout)).rejects.toThrow(
      /clothes\/3\.json: row 0 has 100 values/,
    );
    writeFileSync(file, JSON.stringify({ data: rows.slice(1) }));
    await expect(convertFashionMnist(temp.dir, layout)).rejects.toThrow(
      /clothes\/3\.json: 6 images, expected 7/,
    );
    writeFileSync(file, JSON.stringify({ data: [rows[0].map(() => 256), ...rows.slice(1)] }));
    await expect(convertFashionMnist(temp.dir, layout)).rejects.toThrow(/row 0, pixel 0 is 256/);
    writeFileSync(file, good);
  });
});
