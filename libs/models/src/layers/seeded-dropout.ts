import * as tf from '@tensorflow/tfjs';
import { DropoutStream, type HasDropoutStream } from '../dropout/dropout-stream';
import { type LayerArgs, single } from './layer-args';

export interface SeededDropoutArgs extends LayerArgs {
  /** Fraction of units zeroed while training, in [0, 1). */
  readonly rate: number;
  /** The mask's shape, broadcast over the input; null takes the input's size. Default: the input's shape. */
  readonly noiseShape?: readonly (number | null)[] | null;
}

/**
 * Inverted dropout (kept units scaled by 1 / (1 - rate)), identity at inference, like tfjs's Dropout,
 * but its masks come from the model's seeded stream (`seedDropout`), not from Math.random, so a run
 * with a seed draws the same masks every time and a resumed run continues them.
 */
export class SeededDropout extends tf.layers.Layer implements HasDropoutStream {
  static readonly className = 'AthanorDropout';
  readonly rate: number;
  readonly noiseShape: readonly (number | null)[] | null;
  readonly dropoutStream = new DropoutStream();

  constructor(args: SeededDropoutArgs) {
    super(args);
    if (!(args.rate >= 0 && args.rate < 1))
      throw new Error(`${this.name}: rate must be in [0, 1), got ${args.rate}`);
    this.rate = args.rate;
    this.noiseShape = args.noiseShape ?? null;
    this.supportsMasking = true;
  }

  get drawsMasks(): boolean {
    return this.rate > 0;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = single(inputs);
    if (kwargs?.training !== true || this.rate === 0) return x;
    return tf.tidy(() => tf.dropout(x, this.rate, this.maskShape(x), this.dropoutStream.next()));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      rate: this.rate,
      ...(this.noiseShape ? { noiseShape: [...this.noiseShape] } : {}),
    };
  }

  private maskShape(x: tf.Tensor): number[] | undefined {
    return this.noiseShape?.map((n, i) => n ?? x.shape[i]);
  }
}
tf.serialization.registerClass(SeededDropout);
