import * as tf from '@tensorflow/tfjs';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export interface MultiHeadSelfAttentionArgs extends LayerArgs {
  /** Heads; the model width must divide by it. */
  readonly heads: number;
}

/**
 * Scaled dot-product self-attention over [batch, steps, width] with `heads` heads, no mask, no
 * dropout: PyTorch's `nn.MultiheadAttention(width, heads)` as `nn.TransformerEncoderLayer` uses it
 * (one packed q/k/v projection with bias, an output projection with bias). tfjs-layers has none.
 */
export class MultiHeadSelfAttention extends tf.layers.Layer {
  static readonly className = 'AthanorMultiHeadSelfAttention';
  private readonly heads: number;
  private weightsIn: tf.LayerVariable | undefined;
  private biasIn: tf.LayerVariable | undefined;
  private weightsOut: tf.LayerVariable | undefined;
  private biasOut: tf.LayerVariable | undefined;

  constructor(args: MultiHeadSelfAttentionArgs) {
    super(args);
    this.heads = args.heads;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const width = shape[2]!;
    if (width % this.heads !== 0) throw new Error(`width ${width} does not divide into ${this.heads} heads`);
    const glorot = tf.initializers.glorotUniform({});
    this.weightsIn = this.addWeight('in_kernel', [width, 3 * width], 'float32', glorot);
    this.biasIn = this.addWeight('in_bias', [3 * width], 'float32', tf.initializers.zeros());
    this.weightsOut = this.addWeight('out_kernel', [width, width], 'float32', glorot);
    this.biasOut = this.addWeight('out_bias', [width], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const { weightsIn, biasIn, weightsOut, biasOut } = this;
    if (!weightsIn || !biasIn || !weightsOut || !biasOut)
      throw new Error('MultiHeadSelfAttention used before build');
    return tf.tidy(() => {
      const [batch, steps, width] = x.shape as [number, number, number];
      const heads = this.heads;
      const depth = width / heads;
      const rows = tf.reshape(x, [batch * steps, width]);
      const qkv = tf.add(tf.matMul(rows, weightsIn.read()), biasIn.read());
      // [batch, steps, 3, heads, depth] -> [3, batch * heads, steps, depth]
      const split = tf.reshape(
        tf.transpose(tf.reshape(qkv, [batch, steps, 3, heads, depth]), [2, 0, 3, 1, 4]),
        [3, batch * heads, steps, depth],
      );
      const [q, k, v] = tf.unstack(split) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
      const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(depth));
      const context = tf.matMul(tf.softmax(scores), v);
      const merged = tf.reshape(
        tf.transpose(tf.reshape(context, [batch, heads, steps, depth]), [0, 2, 1, 3]),
        [batch * steps, width],
      );
      const out = tf.add(tf.matMul(merged, weightsOut.read()), biasOut.read());
      return tf.reshape(out, [batch, steps, width]);
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), heads: this.heads };
  }
}
