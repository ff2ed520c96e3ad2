import { check } from '../errors';
import { fill, type HostTensor } from './host-tensor';
import { sampleNormal, sampleUniform, type RandomOptions } from './sample';

/** All zeros (`nn.init.zeros_`), e.g. biases. */
export function zeros(shape: readonly number[]): HostTensor {
  return fill(shape, () => 0);
}

/** All ones (`nn.init.ones_`), e.g. normalisation scales. */
export function ones(shape: readonly number[]): HostTensor {
  return fill(shape, () => 1);
}

/** Every element `value` (`nn.init.constant_`). */
export function constant(shape: readonly number[], value: number): HostTensor {
  check(Number.isFinite(value), 'value', `must be finite, got ${value}`);
  return fill(shape, () => value);
}

export interface UniformOptions extends RandomOptions {
  /** Default 0. */
  readonly low?: number;
  /** Default 1. */
  readonly high?: number;
}

/** U(low, high) (`nn.init.uniform_`, defaults a = 0, b = 1). */
export function uniform(shape: readonly number[], options: UniformOptions): HostTensor {
  return sampleUniform(shape, options.low ?? 0, options.high ?? 1, options.random);
}

export interface NormalOptions extends RandomOptions {
  /** Default 0. */
  readonly mean?: number;
  /** Default 1. */
  readonly std?: number;
}

/** N(mean, std^2) (`nn.init.normal_`, defaults 0 and 1). */
export function normal(shape: readonly number[], options: NormalOptions): HostTensor {
  return sampleNormal(shape, options.mean ?? 0, options.std ?? 1, options.random);
}
