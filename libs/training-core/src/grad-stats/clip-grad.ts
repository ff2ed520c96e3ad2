import * as tf from '@tensorflow/tfjs-core';
import { check } from '../errors';
import { reduceLayers } from './layer-norms';

/** PyTorch's RuntimeError for `error_if_nonfinite=True` with a NaN or infinite total norm. */
export class NonFiniteGradientError extends Error {
  override readonly name = 'NonFiniteGradientError';
  constructor(
    readonly totalNorm: number,
    readonly normType: number,
  ) {
    super(
      `the total norm of order ${normType} of the gradients is non-finite (${totalNorm}), so it cannot be clipped; ` +
        'pass errorIfNonfinite = false to scale the gradients by the non-finite norm anyway',
    );
  }
}

export interface ClippedGrads {
  /** New tensors (the caller disposes both these and the inputs). */
  readonly grads: tf.NamedTensorMap;
  /** The total norm before clipping, as `clip_grad_norm_` returns it. */
  readonly totalNorm: number;
}

/**
 * PyTorch 1.13's `clip_grad_norm_`: the norm of all gradients together (inf: the largest |g|),
 * then every gradient times min(maxNorm / (total + 1e-6), 1). A NaN total gives a NaN coefficient
 * and an infinite one a zero coefficient (inf * 0 = NaN where the gradient is infinite), exactly as
 * PyTorch scales them, unless `errorIfNonfinite` asks for a NonFiniteGradientError instead.
 */
export async function clipGradNorm(
  grads: tf.NamedTensorMap,
  maxNorm: number,
  normType = 2,
  errorIfNonfinite = false,
): Promise<ClippedGrads> {
  check(!Number.isNaN(maxNorm) && maxNorm >= 0, 'maxNorm', `must be >= 0, got ${maxNorm}`);
  check(
    normType === Infinity || (Number.isFinite(normType) && normType > 0),
    'normType',
    `must be > 0 or Infinity, got ${normType}`,
  );
  const names = Object.keys(grads);
  // PyTorch returns tensor(0.) for no gradients.
  if (names.length === 0) return { grads: {}, totalNorm: 0 };
  const norms = (
    await reduceLayers(
      names.map((n) => grads[n]),
      normType,
    )
  ).map((r) => r.norm);
  const totalNorm =
    normType === Infinity
      ? Math.max(...norms)
      : norms.reduce((s, n) => s + n ** normType, 0) ** (1 / normType);
  if (errorIfNonfinite && !Number.isFinite(totalNorm)) throw new NonFiniteGradientError(totalNorm, normType);
  // clip_coef = max_norm / (total_norm + 1e-6); torch.clamp(clip_coef, max=1.0) keeps NaN.
  const coefficient = Math.min(maxNorm / (totalNorm + 1e-6), 1);
  const clipped = tf.tidy(() => Object.fromEntries(names.map((n) => [n, tf.mul(grads[n], coefficient)])));
  return { grads: clipped, totalNorm };
}

/** PyTorch's `clip_grad_value_`: every gradient element clamped to [-clipValue, clipValue]; new tensors. */
export function clipGradValue(grads: tf.NamedTensorMap, clipValue: number): tf.NamedTensorMap {
  check(!Number.isNaN(clipValue) && clipValue >= 0, 'clipValue', `must be >= 0, got ${clipValue}`);
  return tf.tidy(() =>
    Object.fromEntries(Object.entries(grads).map(([n, g]) => [n, tf.clipByValue(g, -clipValue, clipValue)])),
  );
}
