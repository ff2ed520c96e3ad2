import * as tf from '@tensorflow/tfjs';
import { type LayerArgs, single, singleShape } from './layer-args';

/** Prepends a learned [CLS] vector to [batch, steps, width] (BERT's classification token). */
export class ClassToken extends tf.layers.Layer {
  static readonly className = 'ClassToken';
  private token?: tf.LayerVariable;

  constructor(args: LayerArgs = {}) {
    super(args);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const width = singleShape(inputShape)[2];
    if (width == null) throw new Error(`${this.name} needs a known width`);
    this.token = this.addWeight('token', [width], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = single(inputs);
    return tf.tidy(() => {
      const [batch, , width] = x.shape as [number, number, number];
      const token = tf.tile(tf.reshape(this.token!.read(), [1, 1, width]), [batch, 1, 1]);
      return tf.concat([token, x], 1);
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [batch, steps, width] = singleShape(inputShape);
    return [batch, steps == null ? null : steps + 1, width];
  }
}
tf.serialization.registerClass(ClassToken);
