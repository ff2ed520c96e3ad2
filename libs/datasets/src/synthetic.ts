import { check, Rng, ValidationError } from '@athanor/training-core';
import { exampleSizeOf, type ExampleSet } from './example-set';
import { deriveSeed, STREAM } from './seeds';

export interface SyntheticOptions {
  /** Shape of one example, e.g. [28, 28, 1] or [32]. Required. */
  readonly exampleShape: readonly number[];
  /** Number of classes. Default 10. */
  readonly numClasses?: number;
  /** Training examples. Default 1024. */
  readonly trainExamples?: number;
  /** Validation examples. Default 256. */
  readonly validationExamples?: number;
  /** Generator seed, independent of the run's seed so the data stays fixed across trials. Default 0. */
  readonly seed?: number;
  /** Share of training labels replaced by a different, random class, in [0, 1). Default 0. */
  readonly labelNoise?: number;
  /** Standard deviation of the noise around each class prototype. Default 1. */
  readonly noiseStd?: number;
}

/** The options the proto leaves at zero or unset, filled in. */
export const SYNTHETIC_DEFAULTS = {
  exampleShape: [28, 28, 1],
  numClasses: 10,
  trainExamples: 1024,
  validationExamples: 256,
} as const;

/**
 * Seeded, learnable classification data: every class c has a fixed prototype mu_c ~ N(0, I), and an
 * example of class c is mu_c + noiseStd * N(0, I). A nearest-prototype rule is the Bayes-optimal
 * teacher, so a model can learn it; with large shapes the classes are far apart (distance about
 * sqrt(2 d)) and accuracy approaches 100%, with small shapes and more noise it gets harder.
 * Label noise is applied to the training split only, so validation measures the clean task.
 */
export function generateSynthetic(options: SyntheticOptions): { train: ExampleSet; validation: ExampleSet } {
  const shape = options.exampleShape;
  check(
    Array.isArray(shape) && shape.length > 0 && shape.every((d) => Number.isInteger(d) && d > 0),
    'synthetic.exampleShape',
    `must be a non-empty list of positive integers, got [${String(shape)}]`,
  );
  const numClasses = options.numClasses || SYNTHETIC_DEFAULTS.numClasses;
  const trainExamples = options.trainExamples ?? SYNTHETIC_DEFAULTS.trainExamples;
  const validationExamples = options.validationExamples ?? SYNTHETIC_DEFAULTS.validationExamples;
  const seed = options.seed ?? 0;
  const labelNoise = options.labelNoise ?? 0;
  const noiseStd = options.noiseStd ?? 1;
  const violations = [
    [
      Number.isInteger(numClasses) && numClasses >= 2,
      'synthetic.numClasses',
      `must be an integer >= 2, got ${numClasses}`,
    ],
    [
      Number.isInteger(trainExamples) && trainExamples >= 1,
      'synthetic.trainExamples',
      `must be a positive integer, got ${trainExamples}`,
    ],
    [
      Number.isInteger(validationExamples) && validationExamples >= 0,
      'synthetic.validationExamples',
      `must be a non-negative integer, got ${validationExamples}`,
    ],
    [
      Number.isSafeInteger(seed) && seed >= 0,
      'synthetic.seed',
      `must be a non-negative integer, got ${seed}`,
    ],
    [labelNoise >= 0 && labelNoise < 1, 'synthetic.labelNoise', `must be in [0, 1), got ${labelNoise}`],
    [
      Number.isFinite(noiseStd) && noiseStd >= 0,
      'synthetic.noiseStd',
      `must be finite and >= 0, got ${noiseStd}`,
    ],
  ] as const;
  const bad = violations.filter(([ok]) => !ok).map(([, field, description]) => ({ field, description }));
  if (bad.length > 0) throw new ValidationError(bad);

  const d = exampleSizeOf(shape);
  const prototypes = syntheticPrototypes(seed, numClasses, d);
  const make = (part: number, n: number, noisyLabels: boolean): ExampleSet => {
    const rng = new Rng(deriveSeed(seed, STREAM.synthetic, part));
    // Label noise draws from its own stream, so the inputs and clean labels do not depend on it.
    const noise = new Rng(deriveSeed(seed, STREAM.synthetic, part + 100));
    const features = new Float32Array(n * d);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const y = rng.int(numClasses);
      for (let j = 0; j < d; j++) features[i * d + j] = prototypes[y * d + j] + noiseStd * rng.normal();
      labels[i] =
        noisyLabels && noise.uniform() < labelNoise ? (y + 1 + noise.int(numClasses - 1)) % numClasses : y;
    }
    return { features, labels, exampleShape: Array.from<number>(shape), size: n };
  };
  return { train: make(1, trainExamples, true), validation: make(2, validationExamples, false) };
}

/** The class prototypes (numClasses x exampleSize, row-major) a seed generates; for tests and baselines. */
export function syntheticPrototypes(seed: number, numClasses: number, exampleSize: number): Float32Array {
  const rng = new Rng(deriveSeed(seed, STREAM.synthetic, 0));
  const prototypes = new Float32Array(numClasses * exampleSize);
  for (let i = 0; i < prototypes.length; i++) prototypes[i] = rng.normal();
  return prototypes;
}
