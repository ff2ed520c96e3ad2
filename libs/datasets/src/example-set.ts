/** Pixel or feature values as stored: uint8 for images that came as bytes, float32 otherwise. */
export type FeatureArray = Uint8Array | Float32Array;

/**
 * A set of labelled examples held as flat typed arrays (C order), independent of any tensor
 * library, so that loading, splitting and batching are plain array work and testable without tfjs.
 */
export interface ExampleSet {
  /** `size * product(exampleShape)` values; example i starts at `i * exampleSize`. */
  readonly features: FeatureArray;
  /** One class index per example, in [0, numClasses). */
  readonly labels: Int32Array;
  /** Shape of one example, HWC for images (e.g. [28, 28, 1]). */
  readonly exampleShape: readonly number[];
  readonly size: number;
}

/** Number of values in one example. */
export function exampleSizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The examples at `indices`, in that order (a copy). */
export function selectExamples(set: ExampleSet, indices: ArrayLike<number>): ExampleSet {
  const d = exampleSizeOf(set.exampleShape);
  const features =
    set.features instanceof Uint8Array
      ? new Uint8Array(indices.length * d)
      : new Float32Array(indices.length * d);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const src = indices[i];
    features.set(set.features.subarray(src * d, (src + 1) * d), i * d);
    labels[i] = set.labels[src];
  }
  return { features, labels, exampleShape: set.exampleShape, size: indices.length };
}

/** The first `n` examples (a view, no copy); `n` of 0 or more than the size keeps all. */
export function takeExamples(set: ExampleSet, n: number): ExampleSet {
  if (n <= 0 || n >= set.size) return set;
  const d = exampleSizeOf(set.exampleShape);
  return {
    features: set.features.subarray(0, n * d),
    labels: set.labels.subarray(0, n),
    exampleShape: set.exampleShape,
    size: n,
  };
}

/** An empty set of the given example shape (e.g. no validation data). */
export function emptyExampleSet(exampleShape: readonly number[], like: FeatureArray): ExampleSet {
  const features = like instanceof Uint8Array ? new Uint8Array(0) : new Float32Array(0);
  return { features, labels: new Int32Array(0), exampleShape, size: 0 };
}

/** How many examples of each class (index = class). */
export function classCounts(set: ExampleSet, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const y of set.labels) counts[y] += 1;
  return counts;
}
