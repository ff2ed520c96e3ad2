import { check } from '../errors';
import { toRng, type Rng } from '../random';
import { fill, type HostTensor } from './host-tensor';

/** The generator for an initializer: a seed (a fresh stream) or a shared Rng (advanced in place). */
export type RandomSource = Rng | number;

export interface RandomOptions {
  /** Required: initial weights are reproducible only if their randomness is named. */
  readonly random: RandomSource;
}

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

// The float32 next to `f` upwards (dir +1) or downwards (dir -1), by stepping its bit pattern.
function nextFloat32(f: number, dir: 1 | -1): number {
  scratch[0] = f;
  if (f === 0) {
    scratchBits[0] = dir > 0 ? 1 : 0x80000001;
  } else {
    scratchBits[0] = scratchBits[0] + (f > 0 === dir > 0 ? 1 : -1);
  }
  return scratch[0];
}

/** Rounds to float32 without leaving [low, high]: a bound is never exceeded after rounding. */
export function float32Within(x: number, low: number, high: number): number {
  let f = Math.fround(x);
  while (f > high) f = nextFloat32(f, -1);
  while (f < low) f = nextFloat32(f, 1);
  return f;
}

/** U(low, high) (PyTorch's `uniform_`). */
export function sampleUniform(
  shape: readonly number[],
  low: number,
  high: number,
  random: RandomSource,
): HostTensor {
  check(
    Number.isFinite(low) && Number.isFinite(high) && low <= high,
    'low',
    `need finite low <= high, got [${low}, ${high}]`,
  );
  const rng = toRng(random);
  return fill(shape, () => float32Within(rng.uniformRange(low, high), low, high));
}

/** N(mean, std^2) (PyTorch's `normal_`). */
export function sampleNormal(
  shape: readonly number[],
  mean: number,
  std: number,
  random: RandomSource,
): HostTensor {
  check(Number.isFinite(mean), 'mean', `must be finite, got ${mean}`);
  check(Number.isFinite(std) && std >= 0, 'std', `must be finite and >= 0, got ${std}`);
  const rng = toRng(random);
  return fill(shape, () => rng.normal(mean, std));
}
