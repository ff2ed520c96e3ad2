import { sizeOf } from '../plan';

/** What the FLOPs count of a layer needs: its class, input and output shapes (no batch), weight shapes by short name. */
export interface FlopsInput {
  readonly className: string;
  readonly inputShapes: readonly (readonly number[])[];
  readonly outputShape: readonly number[];
  readonly weights: readonly { readonly name: string; readonly shape: readonly number[] }[];
}

/**
 * Forward FLOPs of one example through a layer; a multiply-add counts as 2 (the usual convention, as
 * fvcore/ptflops x2). Elementwise work counts a few FLOPs per element; the matrix products dominate.
 */
export function layerFlops({ className, inputShapes, outputShape, weights }: FlopsInput): number {
  const out = sizeOf(outputShape);
  const input = inputShapes[0] ?? [];
  const weight = (suffix: string) =>
    weights.filter((w) => w.name === suffix || w.name.endsWith(`/${suffix}`));
  const hasBias = weight('bias').length > 0;
  switch (className) {
    case 'Conv2D': {
      const kernel = weight('kernel')[0]?.shape ?? [1, 1, 1, 1];
      // Every output element: kh * kw * cin multiply-adds (+ the bias).
      return out * (2 * kernel[0] * kernel[1] * kernel[2] + (hasBias ? 1 : 0));
    }
    case 'Dense': {
      const kernel = weight('kernel')[0]?.shape ?? [1, 1];
      return out * (2 * kernel[0] + (hasBias ? 1 : 0));
    }
    case 'LSTM':
    case 'GRU':
    case 'Bidirectional': {
      const steps = input[0] ?? 1;
      let flops = 0;
      for (const k of [...weight('kernel'), ...weight('recurrent_kernel')]) flops += 2 * sizeOf(k.shape);
      // Gate nonlinearities and the state update: about 10 FLOPs per gate unit and step.
      for (const b of weight('bias')) flops += 10 * sizeOf(b.shape);
      return steps * flops;
    }
    case 'MultiHeadSelfAttention': {
      const [steps, width] = input;
      const heads = 1;
      // q/k/v and output projections, scores q k^T, weighted values, softmax (~5 per score).
      return (
        steps * 2 * width * 3 * width +
        2 * steps * steps * width * 2 +
        5 * steps * steps * heads +
        steps * 2 * width * width
      );
    }
    case 'BatchNormalization':
      return 2 * out;
    case 'LayerNormalization':
    case 'GroupNormalization':
      return 7 * out;
    case 'MaxPooling2D':
    case 'AveragePooling2D':
    case 'GlobalAveragePooling2D':
    case 'GlobalAveragePooling1D':
    case 'GlobalMaxPooling1D':
      return sizeOf(input);
    case 'Add':
      return out * Math.max(1, inputShapes.length - 1);
    case 'Activation':
    case 'ReLU':
    case 'LeakyReLU':
    case 'AthanorPositionEmbedding':
      return out;
    default:
      // Reshapes, dropout (identity at inference), embedding lookups, padding: no arithmetic.
      return 0;
  }
}
