import * as tf from '@tensorflow/tfjs';
import { DropoutStream, type HasDropoutStream } from '../dropout/dropout-stream';
import { type LayerArgs, single, singleShape } from './layer-args';

export interface MultiHeadSelfAttentionArgs extends LayerArgs {
  /** Attention heads; the model width must divide by it. */
  readonly numHeads: number;
  /** Dropout on the attention weights while training, in [0, 1). Default 0. */
  readonly dropout?: number;
}

/**
 * Scaled dot-product self-attention over [batch, steps, width] (Vaswani et al. 2017), laid out as
 * PyTorch's `nn.MultiheadAttention(width, heads, batch_first=True)`: one packed q/k/v projection
 * `in_kernel` [width, 3 * width] with bias, an output projection `out_kernel` [width, width] with bias.
 * tfjs-layers exports no attention layer, so this one is registered for (de)serialisation. Attention
 * dropout draws its masks from the model's seeded stream (`seedDropout`), as AthanorDropout does.
 */
export class MultiHeadSelfAttention extends tf.layers.Layer implements HasDropoutStream {
  static readonly className = 'MultiHeadSelfAttention';
  readonly numHeads: number;
  readonly dropout: number;
  readonly dropoutStream = new DropoutStream();
  private inKernel?: tf.LayerVariable;
  private inBias?: tf.LayerVariable;
  private outKernel?: tf.LayerVariable;
  private outBias?: tf.LayerVariable;

  constructor(args: MultiHeadSelfAttentionArgs) {
    super(args);
    this.numHeads = args.numHeads;
    this.dropout = args.dropout ?? 0;
  }

  get drawsMasks(): boolean {
    return this.dropout > 0;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const width = singleShape(inputShape)[2];
    if (width == null || width % this.numHeads !== 0) {
      throw new Error(`width ${String(width)} does not divide into ${this.numHeads} heads`);
    }
    // Zeros here: Athanor's initializers (libs/models/src/init) set every weight after building.
    const zeros = tf.initializers.zeros();
    this.inKernel = this.addWeight('in_kernel', [width, 3 * width], 'float32', zeros);
    this.inBias = this.addWeight('in_bias', [3 * width], 'float32', zeros);
    this.outKernel = this.addWeight('out_kernel', [width, width], 'float32', zeros);
    this.outBias = this.addWeight('out_bias', [width], 'float32', zeros);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = single(inputs);
    const { inKernel, inBias, outKernel, outBias } = this;
    if (!inKernel || !inBias || !outKernel || !outBias) throw new Error(`${this.name} used before build`);
    return tf.tidy(() => {
      const [batch, steps, width] = x.shape as [number, number, number];
      const heads = this.numHeads;
      const depth = width / heads;
      const rows = tf.reshape(x, [batch * steps, width]);
      const qkv = tf.add(tf.matMul(rows, inKernel.read()), inBias.read());
      // [batch, steps, 3, heads, depth] -> [3, batch * heads, steps, depth]
      const split = tf.reshape(
        tf.transpose(tf.reshape(qkv, [batch, steps, 3, heads, depth]), [2, 0, 3, 1, 4]),
        [3, batch * heads, steps, depth],
      );
      const [q, k, v] = tf.unstack(split) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
      const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(depth));
      let weights = tf.softmax(scores);
      if (kwargs?.training === true && this.dropout > 0)
        weights = tf.dropout(weights, this.dropout, undefined, this.dropoutStream.next());
      const context = tf.matMul(weights, v);
      const merged = tf.reshape(
        tf.transpose(tf.reshape(context, [batch, heads, steps, depth]), [0, 2, 1, 3]),
        [batch * steps, width],
      );
      const out = tf.add(tf.matMul(merged, outKernel.read()), outBias.read());
      return tf.reshape(out, [batch, steps, width]);
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return singleShape(inputShape);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), numHeads: this.numHeads, dropout: this.dropout };
  }
}
tf.serialization.registerClass(MultiHeadSelfAttention);
