import { check } from '../errors';
import { toRng } from '../random';
import { fill, type HostTensor } from './host-tensor';
import { normalCdf, normalQuantile } from './normal-cdf';
import { float32Within, type RandomOptions } from './sample';

export interface TruncatedNormalOptions extends RandomOptions {
  /** Default 0. */
  readonly mean?: number;
  /** Default 1. */
  readonly std?: number;
  /** Lower cut-off in absolute units (not in stds, as in PyTorch); default -2. */
  readonly a?: number;
  /** Upper cut-off in absolute units; default 2. */
  readonly b?: number;
}

/**
 * `nn.init.trunc_normal_`: N(mean, std^2) restricted to [a, b], by the inverse-CDF method PyTorch
 * uses (uniform between Phi(alpha) and Phi(beta), then Phi^-1), so no draw is rejected. Cut-offs in
 * the upper tail are mirrored to the lower one, where the CDF keeps its precision.
 */
export function truncatedNormal(shape: readonly number[], options: TruncatedNormalOptions): HostTensor {
  const mean = options.mean ?? 0;
  const std = options.std ?? 1;
  const a = options.a ?? -2;
  const b = options.b ?? 2;
  check(Number.isFinite(mean), 'mean', `must be finite, got ${mean}`);
  check(Number.isFinite(std) && std > 0, 'std', `must be finite and > 0, got ${std}`);
  check(!Number.isNaN(a) && !Number.isNaN(b) && a < b, 'b', `the interval needs a < b, got [${a}, ${b}]`);
  const alpha = (a - mean) / std;
  const beta = (b - mean) / std;
  const mirrored = alpha > 0;
  const low = normalCdf(mirrored ? -beta : alpha);
  const high = normalCdf(mirrored ? -alpha : beta);
  check(high > low, 'a', `[${a}, ${b}] has no probability mass under N(${mean}, ${std}^2)`);
  const rng = toRng(options.random);
  return fill(shape, () => {
    const z = normalQuantile(low + (high - low) * rng.uniform());
    const x = mean + std * (mirrored ? -z : z);
    // PyTorch clamps too: rounding (in the CDFs, or to float32) may land a hair outside [a, b].
    return float32Within(x, a, b);
  });
}
