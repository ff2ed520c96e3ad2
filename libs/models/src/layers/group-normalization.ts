import * as tf from '@tensorflow/tfjs';
import { type LayerArgs, single, singleShape } from './layer-args';

export interface GroupNormalizationArgs extends LayerArgs {
  /** Groups of channels (the last axis); the channels must divide by it. */
  readonly groups: number;
  /** Added to the variance. Default 1e-5 (PyTorch). */
  readonly epsilon?: number;
}

/**
 * Group normalisation (Wu & He 2018) over channels-last inputs of any rank >= 2, as PyTorch's
 * `nn.GroupNorm(groups, channels)`: statistics per example and group, a per-channel scale and offset.
 * tfjs-layers has none.
 */
export class GroupNormalization extends tf.layers.Layer {
  static readonly className = 'GroupNormalization';
  readonly groups: number;
  readonly epsilon: number;
  private gamma?: tf.LayerVariable;
  private beta?: tf.LayerVariable;

  constructor(args: GroupNormalizationArgs) {
    super(args);
    this.groups = args.groups;
    this.epsilon = args.epsilon ?? 1e-5;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = singleShape(inputShape);
    const channels = shape[shape.length - 1];
    if (channels == null || channels % this.groups !== 0) {
      throw new Error(`${String(channels)} channels do not split into ${this.groups} groups`);
    }
    this.gamma = this.addWeight('gamma', [channels], 'float32', tf.initializers.ones());
    this.beta = this.addWeight('beta', [channels], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = single(inputs);
    return tf.tidy(() => {
      const shape = x.shape;
      const channels = shape[shape.length - 1];
      const grouped = tf.reshape(x, [shape[0], -1, this.groups, channels / this.groups]);
      const { mean, variance } = tf.moments(grouped, [1, 3], true);
      const normed = tf.div(tf.sub(grouped, mean), tf.sqrt(tf.add(variance, this.epsilon)));
      return tf.add(tf.mul(tf.reshape(normed, shape), this.gamma!.read()), this.beta!.read());
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return singleShape(inputShape);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groups: this.groups, epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(GroupNormalization);
