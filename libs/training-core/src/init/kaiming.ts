import { check } from '../errors';
import { computeFans, type FanOptions } from './fans';
import { calculateGain, type Nonlinearity } from './gain';
import type { HostTensor } from './host-tensor';
import { sampleNormal, sampleUniform, type RandomOptions } from './sample';

export interface KaimingOptions extends RandomOptions, FanOptions {
  /** Negative slope of the rectifier after this layer (leaky_relu only); default 0. */
  readonly a?: number;
  /** `fan_in` preserves the forward variance, `fan_out` the backward one; default `fan_in`. */
  readonly mode?: 'fan_in' | 'fan_out';
  /** Default `leaky_relu` (with a = 0 that is relu's gain sqrt(2)), as in PyTorch. */
  readonly nonlinearity?: Nonlinearity;
}

/** The std of He initialisation for this shape and options (exported for tests and diagnostics). */
// He et al. 2015: std = gain / sqrt(fan_mode).
export function kaimingStd(shape: readonly number[], options: Omit<KaimingOptions, 'random'>): number {
  const mode = options.mode ?? 'fan_in';
  check(mode === 'fan_in' || mode === 'fan_out', 'mode', `must be fan_in or fan_out, got "${String(mode)}"`);
  const a = options.a ?? 0;
  check(Number.isFinite(a), 'a', `must be finite, got ${a}`);
  const fans = computeFans(shape, options);
  const fan = mode === 'fan_in' ? fans.fanIn : fans.fanOut;
  check(fan > 0, 'shape', `has ${mode} = 0`);
  return calculateGain(options.nonlinearity ?? 'leaky_relu', a) / Math.sqrt(fan);
}

/** `nn.init.kaiming_uniform_`: U(-bound, bound) with bound = sqrt(3) * gain / sqrt(fan_mode). */
export function kaimingUniform(shape: readonly number[], options: KaimingOptions): HostTensor {
  const bound = Math.sqrt(3) * kaimingStd(shape, options);
  return sampleUniform(shape, -bound, bound, options.random);
}

/** `nn.init.kaiming_normal_`: N(0, std^2) with std = gain / sqrt(fan_mode). */
export function kaimingNormal(shape: readonly number[], options: KaimingOptions): HostTensor {
  return sampleNormal(shape, 0, kaimingStd(shape, options), options.random);
}
