import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from '@athanor/training-core';
import { describeDataset } from './describe-dataset';
import { loadDataset } from './load-dataset';
import { makeTempDir } from './test-support/temp-dir';
import { writeMnistFixture } from './test-support/mnist-fixture';

describe('loadDataset', () => {
  const temp = makeTempDir('load');
  afterAll(temp.cleanup);
  const synthetic = {
    kind: 'synthetic',
    synthetic: { exampleShape: [3], trainExamples: 100, validationExamples: 20 },
  } as const;

  it('uses the source split by default and a seeded split when asked', async () => {
    const own = await loadDataset({ source: synthetic });
    expect([own.info.trainSize, own.info.validationSize, own.info.split]).toEqual([100, 20, 'predefined']);
    const a = await loadDataset({ source: synthetic, validationSplit: 0.25 }, { seed: 7 });
    const b = await loadDataset({ source: synthetic, validationSplit: 0.25 }, { seed: 7 });
    const c = await loadDataset({ source: synthetic, validationSplit: 0.25 }, { seed: 8 });
    expect([a.info.trainSize, a.info.validationSize, a.info.split]).toEqual([75, 25, 'seeded']);
    expect([...a.validation.features]).toEqual([...b.validation.features]);
    expect([...a.validation.features]).not.toEqual([...c.validation.features]);
    const none = await loadDataset({ source: synthetic, validationSplit: 0 });
    expect([none.info.trainSize, none.info.validationSize]).toEqual([100, 0]);
  });

  it('caps the examples after the split', async () => {
    const capped = await loadDataset({ source: synthetic, maxTrainExamples: 10, maxValidationExamples: 3 });
    expect([capped.train.size, capped.validation.size, capped.train.features.length]).toEqual([10, 3, 30]);
  });

  it('accepts "synthetic" as a name, with default options', async () => {
    const d = await loadDataset({ source: { kind: 'name', name: 'synthetic' } });
    expect(d.info.exampleShape).toEqual([28, 28, 1]);
    expect([d.info.numClasses, d.info.trainSize, d.info.validationSize]).toEqual([10, 1024, 256]);
  });

  it('splits file datasets by 0.1 by default, and describes the result', async () => {
    writeFileSync(
      path.join(temp.dir, 't.csv'),
      'a,y\n' + Array.from({ length: 50 }, (_, i) => `${i},${i % 2}`).join('\n'),
    );
    const d = await loadDataset(
      { source: { kind: 'files', files: { format: 'csv', trainPath: 't.csv' } } },
      { dataRoot: temp.dir },
    );
    const description = describeDataset(d);
    expect(description).toMatchObject({
      name: 'files',
      trainSize: 45,
      validationSize: 5,
      split: 'seeded',
      numClasses: 2,
      exampleShape: [1],
    });
    expect(
      description.trainClassCounts.reduce((a, b) => a + b) +
        description.validationClassCounts.reduce((a, b) => a + b),
    ).toBe(50);
  });

  it('draws an explicit mnist split from all 10,000 (here: a fixture of 50)', async () => {
    const source = path.join(temp.dir, 'mnist');
    writeMnistFixture(source, 5);
    const context = { cacheDir: path.join(temp.dir, 'cache'), builtinSourceDirs: { mnist: source } };
    const own = await loadDataset({ source: { kind: 'name', name: 'mnist' } }, context);
    expect([own.info.trainSize, own.info.validationSize, own.info.split, own.info.storedScale]).toEqual([
      40,
      10,
      'predefined',
      1 / 255,
    ]);
    const split = await loadDataset(
      { source: { kind: 'name', name: 'mnist' }, validationSplit: 0.5 },
      context,
    );
    expect([split.info.trainSize, split.info.validationSize, split.info.split, split.info.load.from]).toEqual(
      [25, 25, 'seeded', 'cache'],
    );
  });

  it('rejects bad options naming every field at fault', async () => {
    const bad = loadDataset({ source: synthetic, validationSplit: 1, maxTrainExamples: -1 }, { seed: -2 });
    await expect(bad).rejects.toThrow(ValidationError);
    await expect(
      loadDataset({ source: synthetic, validationSplit: 1, maxTrainExamples: -1 }, { seed: -2 }),
    ).rejects.toThrow(/^validationSplit: .*; maxTrainExamples: .*; seed: /);
    await expect(loadDataset({ source: { kind: 'name', name: 'cifar10' } })).rejects.toThrow(
      /^name: unknown dataset "cifar10"/,
    );
    await expect(loadDataset({ source: undefined as never })).rejects.toThrow(/^source: /);
  });
});
