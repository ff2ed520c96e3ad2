import { Rng } from '@athanor/training-core';
import { selectExamples, type ExampleSet } from '../example-set';
import { deriveSeed, STREAM } from '../seeds';

/** Fixed forever: changing it changes every built-in split (bump the converter version if so). */
const CANONICAL_SEED = 20_240_601;

/**
 * Puts a converted split into a fixed pseudo-random order. The packages store examples sorted by
 * class; without this, "the first N training examples" (max_train_examples) would all be class 0.
 * The order is a constant of the dataset, independent of any run's seed.
 */
export function canonicalOrder(set: ExampleSet, part: number): ExampleSet {
  const rng = new Rng(deriveSeed(CANONICAL_SEED, STREAM.canonicalOrder, part));
  return selectExamples(set, rng.permutation(set.size));
}
