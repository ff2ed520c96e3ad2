import { Rng } from '@athanor/training-core';
import { exampleSizeOf, selectExamples, type ExampleSet } from './example-set';
import { deriveSeed, STREAM } from './seeds';

/**
 * Holds out `round(share * size)` examples for validation, chosen by a permutation that depends only
 * on the seed (the run's seed), so the same seed always validates on the same examples. Both parts
 * keep the permuted order.
 */
export function seededSplit(
  set: ExampleSet,
  share: number,
  seed: number,
): { train: ExampleSet; validation: ExampleSet } {
  const order = new Rng(deriveSeed(seed, STREAM.validationSplit)).permutation(set.size);
  const held = Math.round(share * set.size);
  return {
    validation: selectExamples(set, order.slice(0, held)),
    train: selectExamples(set, order.slice(held)),
  };
}

/** `a` followed by `b` (same example shape and feature type). */
export function concatExamples(a: ExampleSet, b: ExampleSet): ExampleSet {
  const d = exampleSizeOf(a.exampleShape);
  const features =
    a.features instanceof Uint8Array
      ? new Uint8Array((a.size + b.size) * d)
      : new Float32Array((a.size + b.size) * d);
  features.set(a.features, 0);
  features.set(b.features, a.size * d);
  const labels = new Int32Array(a.size + b.size);
  labels.set(a.labels, 0);
  labels.set(b.labels, a.size);
  return { features, labels, exampleShape: a.exampleShape, size: a.size + b.size };
}
