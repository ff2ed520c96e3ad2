/** A batch as host arrays: features (C order, batch first) and one class index per example. */
export interface HostBatch {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly size: number;
}

/**
 * The training and validation data of a run, normalised, as the loop consumes it. The order of
 * training examples in epoch e depends only on (seed, e), so a run resumes at (epoch, batch) exactly.
 */
export interface DataSource {
  readonly exampleShape: readonly number[];
  readonly numClasses: number;
  readonly trainSize: number;
  readonly validationSize: number;
  /** Training batch `batchIndex` of `epoch` (shuffled deterministically from the run's seed). */
  trainBatch(epoch: number, batchIndex: number, batchSize: number): HostBatch;
  /** Validation batch `index` of `size` examples, in the set's order. */
  validationBatch(index: number, size: number): HostBatch;
}

/** Optimizer steps per epoch: ceil, or floor with drop_last (PyTorch DataLoader). */
export function stepsPerEpoch(trainSize: number, batchSize: number, dropLast: boolean): number {
  return dropLast ? Math.floor(trainSize / batchSize) : Math.ceil(trainSize / batchSize);
}
