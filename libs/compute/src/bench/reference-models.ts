import * as tf from '@tensorflow/tfjs';
import { FusedLstm } from './fused-lstm';
import { LearnedPositions } from './learned-positions';
import { MultiHeadSelfAttention } from './multi-head-self-attention';

/** One model of ../shared/reference/torch_bench.py: same layers, input shape and batch size. */
export interface ReferenceModel {
  readonly name: string;
  readonly inputShape: readonly number[];
  readonly batchSize: number;
  /** Builds the model; tests pass a smaller `inputShape` (same layers) to keep the cpu backend quick. */
  build(inputShape?: readonly number[]): tf.LayersModel;
}

// PyTorch's BatchNorm/LayerNorm epsilon; tfjs defaults to 1e-3.
const EPSILON = 1e-5;

function cnn(inputShape: readonly number[] = [28, 28, 1]): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [...inputShape],
        filters: 16,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
      }),
      // PyTorch's momentum 0.1 (weight of the new batch) is tfjs's 0.9 (weight of the old average).
      tf.layers.batchNormalization({ epsilon: EPSILON, momentum: 0.9 }),
      tf.layers.reLU(),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same' }),
      tf.layers.batchNormalization({ epsilon: EPSILON, momentum: 0.9 }),
      tf.layers.reLU(),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10 }),
    ],
  });
}

function mlp(inputShape: readonly number[] = [28, 28, 1]): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [...inputShape] }),
      tf.layers.dense({ units: 256, activation: 'relu' }),
      tf.layers.dense({ units: 256, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
}

function lstm(inputShape: readonly number[] = [28, 28]): tf.LayersModel {
  return tf.sequential({
    layers: [
      // tf.layers.lstm({units: 64, recurrentActivation: 'sigmoid'}) computed fused (fused-lstm.ts):
      // ~30 kernels per step instead of ~1,700. (PyTorch's gates use the logistic sigmoid too.)
      new FusedLstm({ inputShape: [...inputShape], units: 64 }),
      tf.layers.layerNormalization({ epsilon: EPSILON }),
      tf.layers.dense({ units: 10 }),
    ],
  });
}

/** PyTorch's post-LN `nn.TransformerEncoderLayer(64, 4, 128, dropout=0)`. */
function encoderLayer(x: tf.SymbolicTensor): tf.SymbolicTensor {
  const attention = new MultiHeadSelfAttention({ heads: 4 }).apply(x) as tf.SymbolicTensor;
  const h = tf.layers.layerNormalization({ epsilon: EPSILON }).apply(tf.layers.add().apply([x, attention]));
  const inner = tf.layers.dense({ units: 128, activation: 'relu' }).apply(h);
  const ff = tf.layers.dense({ units: 64 }).apply(inner) as tf.SymbolicTensor;
  const sum = tf.layers.add().apply([h as tf.SymbolicTensor, ff]);
  return tf.layers.layerNormalization({ epsilon: EPSILON }).apply(sum) as tf.SymbolicTensor;
}

function transformer(inputShape: readonly number[] = [28, 28]): tf.LayersModel {
  const input = tf.input({ shape: [...inputShape] });
  let h = tf.layers.dense({ units: 64 }).apply(input) as tf.SymbolicTensor;
  h = new LearnedPositions().apply(h) as tf.SymbolicTensor;
  h = encoderLayer(encoderLayer(h));
  h = tf.layers.layerNormalization({ epsilon: EPSILON }).apply(h) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling1d().apply(h);
  const logits = tf.layers.dense({ units: 10 }).apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits });
}

export const REFERENCE_MODELS: readonly ReferenceModel[] = [
  { name: 'reference-cnn', inputShape: [28, 28, 1], batchSize: 64, build: cnn },
  { name: 'reference-mlp', inputShape: [28, 28, 1], batchSize: 128, build: mlp },
  { name: 'reference-lstm', inputShape: [28, 28], batchSize: 64, build: lstm },
  { name: 'reference-transformer', inputShape: [28, 28], batchSize: 64, build: transformer },
];

export function referenceModel(name: string): ReferenceModel {
  const model = REFERENCE_MODELS.find((m) => m.name === name);
  if (model === undefined) {
    throw new Error(
      `unknown model '${name}'; expected one of ${REFERENCE_MODELS.map((m) => m.name).join(', ')}`,
    );
  }
  return model;
}
