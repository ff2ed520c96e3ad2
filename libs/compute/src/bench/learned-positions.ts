import * as tf from '@tensorflow/tfjs';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

/** Adds a learned [steps, width] table to a [batch, steps, width] input (PyTorch's `nn.Parameter(zeros)`). */
export class LearnedPositions extends tf.layers.Layer {
  static readonly className = 'AthanorLearnedPositions';
  private table: tf.LayerVariable | undefined;

  constructor(args: LayerArgs = {}) {
    super(args);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    this.table = this.addWeight('positions', [shape[1]!, shape[2]!], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (this.table === undefined) throw new Error('LearnedPositions used before build');
    return tf.add(x, this.table.read());
  }
}
