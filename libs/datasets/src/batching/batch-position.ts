/**
 * Where a loader is in the data: the next batch to produce. A checkpoint stores it; a resumed run
 * passes it back and gets exactly the batches it would have seen, because batch k of epoch e depends
 * only on (seed, e, k).
 */
export interface BatchPosition {
  /** Zero-based epoch. */
  readonly epoch: number;
  /** Zero-based batch within the epoch. */
  readonly batchIndex: number;
}

export const START_POSITION: BatchPosition = { epoch: 0, batchIndex: 0 };
