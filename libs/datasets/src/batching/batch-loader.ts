import { Rng, ValidationError, type FieldViolation } from '@athanor/training-core';
import { exampleSizeOf, type ExampleSet } from '../example-set';
import { deriveSeed, STREAM } from '../seeds';
import {
  checkAugmentation,
  drawAugmentation,
  writeAugmented,
  type AugmentationOptions,
} from './augmentation';
import type { BatchPosition } from './batch-position';
import type { ResolvedNormalization } from './normalization';

export interface BatchLoaderOptions {
  /** Examples per batch, a positive integer. */
  readonly batchSize: number;
  /** Normalisation from `resolveNormalization` (use the same one for training and validation). */
  readonly normalization: ResolvedNormalization;
  /** The run's seed: with the epoch it fixes the order and the augmentation. Default 0. */
  readonly seed?: number;
  /** Reshuffle every epoch. Default true (pass false for validation). */
  readonly shuffle?: boolean;
  /** Drop the last partial batch (PyTorch DataLoader drop_last). Default false. */
  readonly dropLast?: boolean;
  /** Image augmentation; leave unset for validation. Default none. */
  readonly augmentation?: AugmentationOptions;
}

/** One batch as typed arrays; `batchToTensors` turns it into tfjs tensors. */
export interface Batch {
  /** `size * product(exampleShape)` normalised values. */
  readonly x: Float32Array;
  /** [size, ...exampleShape]. */
  readonly xShape: readonly number[];
  /** Class indices. */
  readonly y: Int32Array;
  /** The examples' indices in the set (for debugging and tests). */
  readonly indices: Int32Array;
  readonly size: number;
  readonly position: BatchPosition;
}

/**
 * Deterministic batches over an example set. Epoch e's order is a permutation drawn from
 * (seed, e) alone and each example's augmentation from (seed, e, index), so any batch can be
 * produced at random, e.g. when a run resumes at (epoch, batchIndex) from a checkpoint.
 */
export class BatchLoader {
  readonly batchSize: number;
  readonly seed: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  /** Batches in every epoch: floor(size / batchSize) with dropLast, else ceil. */
  readonly batchesPerEpoch: number;
  readonly normalization: ResolvedNormalization;
  private readonly augmentation: AugmentationOptions | undefined;
  private readonly exampleSize: number;
  private cachedOrder: { epoch: number; order: Int32Array } | null = null;

  constructor(
    readonly set: ExampleSet,
    options: BatchLoaderOptions,
  ) {
    const violations: FieldViolation[] = [];
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
      violations.push({
        field: 'batchSize',
        description: `must be a positive integer, got ${options.batchSize}`,
      });
    }
    const seed = options.seed ?? 0;
    if (!Number.isSafeInteger(seed) || seed < 0)
      violations.push({ field: 'seed', description: `must be a non-negative integer, got ${seed}` });
    const channels = set.exampleShape[set.exampleShape.length - 1];
    if (options.normalization.multiplier.length !== channels) {
      violations.push({
        field: 'normalization',
        description: `has ${options.normalization.multiplier.length} channels, the examples ${channels}`,
      });
    }
    if (violations.length > 0) throw new ValidationError(violations);
    checkAugmentation(options.augmentation, set.exampleShape);
    this.batchSize = options.batchSize;
    this.seed = seed;
    this.shuffle = options.shuffle ?? true;
    this.dropLast = options.dropLast ?? false;
    this.normalization = options.normalization;
    this.augmentation =
      options.augmentation && (options.augmentation.randomCrop || options.augmentation.horizontalFlip)
        ? options.augmentation
        : undefined;
    this.exampleSize = exampleSizeOf(set.exampleShape);
    this.batchesPerEpoch = this.dropLast
      ? Math.floor(set.size / this.batchSize)
      : Math.ceil(set.size / this.batchSize);
  }

  /** The order of the examples in `epoch` (identity without shuffle). */
  order(epoch: number): Int32Array {
    if (!Number.isSafeInteger(epoch) || epoch < 0) {
      throw new ValidationError({
        field: 'position.epoch',
        description: `must be a non-negative integer, got ${epoch}`,
      });
    }
    if (this.cachedOrder?.epoch === epoch) return this.cachedOrder.order;
    const order = this.shuffle
      ? Int32Array.from(new Rng(deriveSeed(this.seed, STREAM.epochOrder, epoch)).permutation(this.set.size))
      : Int32Array.from({ length: this.set.size }, (_, i) => i);
    this.cachedOrder = { epoch, order };
    return order;
  }

  /** The batch at `position` (random access). */
  batch(position: BatchPosition): Batch {
    const { epoch, batchIndex } = position;
    if (!Number.isInteger(batchIndex) || batchIndex < 0 || batchIndex >= this.batchesPerEpoch) {
      throw new ValidationError({
        field: 'position.batchIndex',
        description: `must be an integer in [0, ${this.batchesPerEpoch}), got ${batchIndex}`,
      });
    }
    const order = this.order(epoch);
    const start = batchIndex * this.batchSize;
    const indices = order.slice(start, Math.min(start + this.batchSize, this.set.size));
    const size = indices.length;
    const d = this.exampleSize;
    const x = new Float32Array(size * d);
    const y = new Int32Array(size);
    const { multiplier, offset } = this.normalization;
    const channels = multiplier.length;
    const src = this.set.features;
    for (let i = 0; i < size; i++) {
      const index = indices[i];
      y[i] = this.set.labels[index];
      if (this.augmentation) {
        const draw = drawAugmentation(this.augmentation, this.seed, epoch, index);
        const padding = this.augmentation.randomCrop?.padding ?? 0;
        writeAugmented(src, index * d, this.set.exampleShape, draw, padding, multiplier, offset, x, i * d);
      } else {
        const base = index * d;
        for (let j = 0; j < d; j++)
          x[i * d + j] = src[base + j] * multiplier[j % channels] + offset[j % channels];
      }
    }
    return { x, xShape: [size, ...this.set.exampleShape], y, indices, size, position };
  }

  /** The batches of `epoch` from `fromBatch` on (a resumed run starts mid-epoch). */
  *epoch(epoch: number, fromBatch = 0): Generator<Batch> {
    for (let k = fromBatch; k < this.batchesPerEpoch; k++) yield this.batch({ epoch, batchIndex: k });
  }

  /** The position after `position`: the next batch, or the first of the next epoch. */
  next(position: BatchPosition): BatchPosition {
    return position.batchIndex + 1 < this.batchesPerEpoch
      ? { epoch: position.epoch, batchIndex: position.batchIndex + 1 }
      : { epoch: position.epoch + 1, batchIndex: 0 };
  }
}
