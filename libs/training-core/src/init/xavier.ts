import { check } from '../errors';
import { computeFans, type FanOptions } from './fans';
import type { HostTensor } from './host-tensor';
import { sampleNormal, sampleUniform, type RandomOptions } from './sample';

export interface XavierOptions extends RandomOptions, FanOptions {
  /** Scale for the nonlinearity (see `calculateGain`); default 1. */
  readonly gain?: number;
}

// Glorot & Bengio 2010: std = gain * sqrt(2 / (fan_in + fan_out)).
function xavierStd(shape: readonly number[], options: XavierOptions): number {
  const gain = options.gain ?? 1;
  check(Number.isFinite(gain) && gain >= 0, 'gain', `must be finite and >= 0, got ${gain}`);
  const { fanIn, fanOut } = computeFans(shape, options);
  check(fanIn + fanOut > 0, 'shape', 'has zero fan_in + fan_out');
  return gain * Math.sqrt(2 / (fanIn + fanOut));
}

/** `nn.init.xavier_uniform_`: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)). */
export function xavierUniform(shape: readonly number[], options: XavierOptions): HostTensor {
  const bound = Math.sqrt(3) * xavierStd(shape, options);
  return sampleUniform(shape, -bound, bound, options.random);
}

/** `nn.init.xavier_normal_`: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)). */
export function xavierNormal(shape: readonly number[], options: XavierOptions): HostTensor {
  return sampleNormal(shape, 0, xavierStd(shape, options), options.random);
}
