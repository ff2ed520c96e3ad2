import { ValidationError, type FieldViolation } from '@athanor/training-core';
import type { DatasetInfo } from '../dataset';
import { exampleSizeOf, type ExampleSet } from '../example-set';

/** Mirrors `athanor.training.v1.NormalizationSpec`. */
export interface NormalizationOptions {
  /** Default "none": the source's own values (mnist 0..1, fashion-mnist 0..255). */
  readonly kind?: 'none' | 'scale' | 'standardize';
  /** Multiplier applied first. Default: the dataset's `defaultScale` (1/255 for 0..255 images, else 1). */
  readonly scale?: number;
  /** Per-channel mean after scaling; one value broadcasts. Empty: computed on the training split. */
  readonly mean?: readonly number[];
  /** Per-channel std after scaling, > 0; one value broadcasts. Empty: computed on the training split. */
  readonly std?: readonly number[];
}

/**
 * The normalisation in force, resolved to numbers (JSON-safe, so a checkpoint can record it):
 * a model input is `stored * multiplier[c] + offset[c]` for channel c (the last axis of the
 * example shape), which folds the storage scale, `scale`, `mean` and `std` into one affine map.
 */
export interface ResolvedNormalization {
  readonly kind: 'none' | 'scale' | 'standardize';
  readonly scale: number;
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly multiplier: readonly number[];
  readonly offset: readonly number[];
}

/** Per-channel mean and population std of `values * scale` over a set (channels = last axis). */
export function channelStatistics(set: ExampleSet, scale: number): { mean: number[]; std: number[] } {
  const channels = set.exampleShape[set.exampleShape.length - 1];
  const sum = new Float64Array(channels);
  const sumSq = new Float64Array(channels);
  const n = set.size * exampleSizeOf(set.exampleShape);
  const x = set.features;
  for (let i = 0; i < n; i++) {
    const v = x[i] * scale;
    const c = i % channels;
    sum[c] += v;
    sumSq[c] += v * v;
  }
  const count = n / channels;
  const mean = Array.from(sum, (s) => s / count);
  const std = Array.from(sumSq, (s, c) => Math.sqrt(Math.max(0, s / count - mean[c] * mean[c])));
  return { mean, std };
}

/**
 * Resolves normalisation options against a dataset: defaults from its info, missing statistics
 * from its training split (never from validation data, which would leak it).
 */
export function resolveNormalization(
  options: NormalizationOptions | undefined,
  dataset: { info: DatasetInfo; train: ExampleSet },
): ResolvedNormalization {
  const kind = options?.kind ?? 'none';
  const channels = dataset.info.exampleShape[dataset.info.exampleShape.length - 1];
  const stored = dataset.info.storedScale;
  const violations: FieldViolation[] = [];
  if (!['none', 'scale', 'standardize'].includes(kind))
    violations.push({ field: 'normalization.kind', description: `unknown kind ${kind}` });
  const scale = kind === 'none' ? 1 : (options?.scale ?? dataset.info.defaultScale);
  if (!Number.isFinite(scale) || scale === 0)
    violations.push({
      field: 'normalization.scale',
      description: `must be finite and non-zero, got ${scale}`,
    });
  const broadcast = (
    values: readonly number[] | undefined,
    field: string,
    positive: boolean,
  ): number[] | null => {
    if (!values || values.length === 0) return null;
    if (values.length !== 1 && values.length !== channels) {
      violations.push({
        field,
        description: `has ${values.length} values; give 1 or one per channel (${channels})`,
      });
      return null;
    }
    values.forEach((v, i) => {
      if (!Number.isFinite(v) || (positive && v <= 0))
        violations.push({
          field: `${field}[${i}]`,
          description: `must be finite${positive ? ' and > 0' : ''}, got ${v}`,
        });
    });
    return values.length === 1 ? new Array<number>(channels).fill(values[0]) : [...values];
  };
  let mean = new Array<number>(channels).fill(0);
  let std = new Array<number>(channels).fill(1);
  if (kind === 'standardize') {
    const givenMean = broadcast(options?.mean, 'normalization.mean', false);
    const givenStd = broadcast(options?.std, 'normalization.std', true);
    if (violations.length === 0 && (!givenMean || !givenStd)) {
      const stats = channelStatistics(dataset.train, stored * scale);
      // A constant channel has std 0; dividing by it would make infinities, so it stays unscaled.
      mean = givenMean ?? stats.mean;
      std = givenStd ?? stats.std.map((s) => (s > 0 ? s : 1));
    } else {
      mean = givenMean ?? mean;
      std = givenStd ?? std;
    }
  }
  if (violations.length > 0) throw new ValidationError(violations);
  const multiplier = std.map((s) => (stored * scale) / s);
  const offset = mean.map((m, c) => 0 - m / std[c]); // 0 - x, not -x: no negative zeros
  return { kind, scale, mean, std, multiplier, offset };
}
