import * as tf from '@tensorflow/tfjs';
import { type LayerArgs, single, singleShape } from './layer-args';

export interface SequenceStepArgs extends LayerArgs {
  /** 0 for the first step ([CLS] pooling), -1 for the last. */
  readonly index: 0 | -1;
}

/** Takes one time step of [batch, steps, width], giving [batch, width] (CLS and LAST pooling). */
export class SequenceStep extends tf.layers.Layer {
  static readonly className = 'SequenceStep';
  readonly index: 0 | -1;

  constructor(args: SequenceStepArgs) {
    super(args);
    this.index = args.index;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = single(inputs);
    return tf.tidy(() => {
      const [batch, steps, width] = x.shape as [number, number, number];
      const start = this.index === 0 ? 0 : steps - 1;
      return tf.reshape(tf.slice(x, [0, start, 0], [batch, 1, width]), [batch, width]);
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = singleShape(inputShape);
    return [shape[0], shape[2]];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), index: this.index };
  }
}
tf.serialization.registerClass(SequenceStep);
