import { check } from '../errors';

/** True for 1, 2, 4, 8, ... */
export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && 2 ** Math.round(Math.log2(n)) === n;
}

/** Checks a batch size (a positive integer; optionally a power of two) and names `field` if not. */
export function checkBatchSize(value: number, field: string, options: { powerOfTwo?: boolean } = {}): void {
  check(Number.isSafeInteger(value) && value >= 1, field, `must be a positive integer, got ${value}`);
  check(
    !options.powerOfTwo || isPowerOfTwo(value),
    field,
    `must be a power of two (16, 32, 64, ...), got ${value}`,
  );
}

export interface BatchSizeOptions {
  /** Smallest batch size; default 16 (the seed guide: with ~100 epochs, rarely below 16). */
  readonly min?: number;
  /** Largest batch size considered; required. */
  readonly max: number;
  /** Require `min` and `max` themselves to be powers of two; default false. */
  readonly requirePowerOfTwo?: boolean;
  /** Memory one sample costs in training (activations, gradients), in bytes; with `memoryBudgetBytes`. */
  readonly perSampleBytes?: number;
  /** Memory independent of the batch (weights, gradients, optimizer slots), in bytes; default 0. */
  readonly fixedBytes?: number;
  /** Memory available, in bytes; with `perSampleBytes`. Default: no memory filter. */
  readonly memoryBudgetBytes?: number;
}

/**
 * Batch sizes worth trying: the powers of two in [min, max] (memory is binary, and the seed guide's
 * rule is 16, 32, 64, 128, ...) whose estimate fixedBytes + B * perSampleBytes fits the budget,
 * smallest first. Empty when none fits.
 */
export function proposeBatchSizes(options: BatchSizeOptions): number[] {
  const min = options.min ?? 16;
  const { max } = options;
  const powerOfTwo = options.requirePowerOfTwo ?? false;
  checkBatchSize(min, 'min', { powerOfTwo });
  checkBatchSize(max, 'max', { powerOfTwo });
  check(min <= max, 'min', `must be <= max (${max}), got ${min}`);
  const { perSampleBytes, memoryBudgetBytes } = options;
  const fixedBytes = options.fixedBytes ?? 0;
  check(
    (perSampleBytes === undefined) === (memoryBudgetBytes === undefined),
    perSampleBytes === undefined ? 'perSampleBytes' : 'memoryBudgetBytes',
    'perSampleBytes and memoryBudgetBytes go together',
  );
  if (perSampleBytes !== undefined)
    check(
      Number.isFinite(perSampleBytes) && perSampleBytes > 0,
      'perSampleBytes',
      `must be finite and > 0, got ${perSampleBytes}`,
    );
  if (memoryBudgetBytes !== undefined)
    check(
      Number.isFinite(memoryBudgetBytes) && memoryBudgetBytes > 0,
      'memoryBudgetBytes',
      `must be finite and > 0, got ${memoryBudgetBytes}`,
    );
  check(
    Number.isFinite(fixedBytes) && fixedBytes >= 0,
    'fixedBytes',
    `must be finite and >= 0, got ${fixedBytes}`,
  );

  const sizes: number[] = [];
  for (let b = 2 ** Math.ceil(Math.log2(min)); b <= max; b *= 2) {
    if (perSampleBytes === undefined || fixedBytes + b * perSampleBytes <= memoryBudgetBytes!) sizes.push(b);
  }
  return sizes;
}
