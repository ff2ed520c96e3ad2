import * as tf from '@tensorflow/tfjs-core';

/** Per-tensor reductions, downloaded together. */
export interface LayerReduction {
  readonly size: number;
  /** max |g|; NaN if any element is NaN (as torch's max propagates it). */
  readonly maxAbs: number;
  /** The p-norm, computed as m * ||g / m||_p with m = max|g| so float32 neither overflows nor underflows. */
  readonly norm: number;
  readonly zeros: number;
}

/**
 * Reduces every tensor to [maxAbs, p-norm, zero count, NaN count] inside one tidy, stacks the
 * results and downloads them with a single `data()` call: one GPU sync for all layers, not one each.
 */
export async function reduceLayers(
  tensors: readonly tf.Tensor[],
  normType: number,
): Promise<LayerReduction[]> {
  const nonEmpty = tensors.filter((t) => t.size > 0);
  let values: Float32Array = new Float32Array(0);
  if (nonEmpty.length > 0) {
    const stacked = tf.tidy(() =>
      tf.stack(
        nonEmpty.map((g) => {
          const x = tf.abs(tf.cast(g, 'float32'));
          const maxAbs = tf.max(x);
          const scale = tf.where(
            tf.logicalAnd(tf.greater(maxAbs, 0), tf.isFinite(maxAbs)),
            maxAbs,
            tf.onesLike(maxAbs),
          );
          const scaled = tf.div(x, scale);
          const norm =
            normType === Infinity
              ? maxAbs
              : normType === 2
                ? tf.mul(scale, tf.sqrt(tf.sum(tf.square(scaled))))
                : tf.mul(scale, tf.pow(tf.sum(tf.pow(scaled, normType)), 1 / normType));
          const zeros = tf.sum(tf.cast(tf.equal(x, 0), 'float32'));
          const nans = tf.sum(tf.cast(tf.isNaN(x), 'float32'));
          return tf.stack([maxAbs, norm, zeros, nans]);
        }),
      ),
    );
    try {
      values = await stacked.data<'float32'>();
    } finally {
      stacked.dispose();
    }
  }
  let row = 0;
  return tensors.map((t) => {
    if (t.size === 0) return { size: 0, maxAbs: 0, norm: 0, zeros: 0 };
    const [maxAbs, norm, zeros, nans] = [
      values[4 * row],
      values[4 * row + 1],
      values[4 * row + 2],
      values[4 * row + 3],
    ];
    row += 1;
    const hasNaN = nans > 0;
    return { size: t.size, maxAbs: hasNaN ? NaN : maxAbs, norm: hasNaN ? NaN : norm, zeros };
  });
}
