import * as tf from '@tensorflow/tfjs';
import { type LayerArgs, single, singleShape } from './layer-args';

export type PositionMode = 'learned' | 'sinusoidal';

export interface PositionEmbeddingArgs extends LayerArgs {
  /** `learned`: a trainable [maxLength, width] table; `sinusoidal`: Vaswani et al.'s fixed encoding. */
  readonly mode: PositionMode;
  /** Longest sequence the table covers. */
  readonly maxLength: number;
}

/** Adds position information to [batch, steps, width]: row t of the table to step t. */
export class PositionEmbedding extends tf.layers.Layer {
  static readonly className = 'AthanorPositionEmbedding';
  readonly mode: PositionMode;
  readonly maxLength: number;
  private table?: tf.LayerVariable;
  private fixed?: Float32Array;
  private width = 0;

  constructor(args: PositionEmbeddingArgs) {
    super(args);
    this.mode = args.mode;
    this.maxLength = args.maxLength;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const width = singleShape(inputShape)[2];
    if (width == null) throw new Error(`${this.name} needs a known width`);
    this.width = width;
    if (this.mode === 'learned') {
      this.table = this.addWeight('embeddings', [this.maxLength, width], 'float32', tf.initializers.zeros());
    } else {
      this.fixed = sinusoidalTable(this.maxLength, width);
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = single(inputs);
    const steps = x.shape[1]!;
    if (steps > this.maxLength)
      throw new Error(`${this.name}: ${steps} steps exceed maxLength ${this.maxLength}`);
    return tf.tidy(() => {
      const table =
        this.mode === 'learned'
          ? tf.slice(this.table!.read(), [0, 0], [steps, this.width])
          : tf.tensor2d(this.fixed!.subarray(0, steps * this.width), [steps, this.width]);
      return tf.add(x, table);
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return singleShape(inputShape);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode, maxLength: this.maxLength };
  }
}
tf.serialization.registerClass(PositionEmbedding);

// Vaswani et al. 2017, section 3.5: PE(t, 2i) = sin(t / 10000^(2i/d)), PE(t, 2i+1) = cos(...).
export function sinusoidalTable(length: number, width: number): Float32Array {
  const out = new Float32Array(length * width);
  for (let t = 0; t < length; t++) {
    for (let i = 0; i < width; i++) {
      const angle = t / Math.pow(10000, (2 * Math.floor(i / 2)) / width);
      out[t * width + i] = i % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return out;
}
