import * as tf from '@tensorflow/tfjs';
import { lstmLastState } from '../ops/lstm-last-state';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export interface FusedLstmArgs extends LayerArgs {
  readonly units: number;
}

/**
 * An LSTM layer returning the last hidden state, with the maths of `tf.layers.lstm({units,
 * recurrentActivation: 'sigmoid'})` and PyTorch's `nn.LSTM` (one bias instead of two, the same
 * function), computed by `lstmLastState`: fused on wasm, ordinary tfjs ops elsewhere.
 */
export class FusedLstm extends tf.layers.Layer {
  static readonly className = 'AthanorFusedLstm';
  private readonly units: number;
  private kernel: tf.LayerVariable | undefined;
  private recurrentKernel: tf.LayerVariable | undefined;
  private bias: tf.LayerVariable | undefined;

  constructor(args: FusedLstmArgs) {
    super(args);
    this.units = args.units;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const depth = shape[2]!;
    const glorot = tf.initializers.glorotUniform({});
    this.kernel = this.addWeight('kernel', [depth, 4 * this.units], 'float32', glorot);
    this.recurrentKernel = this.addWeight(
      'recurrent_kernel',
      [this.units, 4 * this.units],
      'float32',
      glorot,
    );
    this.bias = this.addWeight('bias', [4 * this.units], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
    const { kernel, recurrentKernel, bias } = this;
    if (!kernel || !recurrentKernel || !bias) throw new Error('FusedLstm used before build');
    return lstmLastState(
      x,
      kernel.read() as tf.Tensor2D,
      recurrentKernel.read() as tf.Tensor2D,
      bias.read() as tf.Tensor1D,
    );
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [shape[0] ?? null, this.units];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units };
  }
}
