import * as tf from '@tensorflow/tfjs';
import {
  ClassToken,
  GroupNormalization,
  MultiHeadSelfAttention,
  PositionEmbedding,
  SeededDropout,
  SequenceStep,
} from '../layers';

type Args = Record<string, unknown>;
type Factory = (args: Args) => tf.layers.Layer;

// Weights start as zeros: Athanor's seeded initializers (../init) overwrite every one right after
// building, so tfjs's own random initialisation would be wasted work (orthogonal is costly).
const ZERO_KERNEL = { kernelInitializer: 'zeros', biasInitializer: 'zeros' };

// Plan nodes carry plain argument objects; each factory hands them to tfjs as its own argument type.
function argsOf<F extends (a: never) => unknown>(_factory: F, args: Args): Parameters<F>[0] {
  return args as Parameters<F>[0];
}

const FACTORIES: Record<string, Factory> = {
  Conv2D: (a) => tf.layers.conv2d(argsOf(tf.layers.conv2d, { ...ZERO_KERNEL, ...a })),
  Dense: (a) => tf.layers.dense(argsOf(tf.layers.dense, { ...ZERO_KERNEL, ...a })),
  BatchNormalization: (a) => tf.layers.batchNormalization(argsOf(tf.layers.batchNormalization, a)),
  LayerNormalization: (a) => tf.layers.layerNormalization(argsOf(tf.layers.layerNormalization, a)),
  GroupNormalization: (a) =>
    new GroupNormalization(argsOf((x: ConstructorParameters<typeof GroupNormalization>[0]) => x, a)),
  ReLU: (a) => tf.layers.reLU(argsOf(tf.layers.reLU, a)),
  LeakyReLU: (a) => tf.layers.leakyReLU(argsOf(tf.layers.leakyReLU, a)),
  Activation: (a) => tf.layers.activation(argsOf(tf.layers.activation, a)),
  MaxPooling2D: (a) => tf.layers.maxPooling2d(argsOf(tf.layers.maxPooling2d, a)),
  AveragePooling2D: (a) => tf.layers.averagePooling2d(argsOf(tf.layers.averagePooling2d, a)),
  GlobalAveragePooling2D: (a) =>
    tf.layers.globalAveragePooling2d(argsOf(tf.layers.globalAveragePooling2d, a)),
  GlobalAveragePooling1D: (a) =>
    tf.layers.globalAveragePooling1d(argsOf(tf.layers.globalAveragePooling1d, a)),
  GlobalMaxPooling1D: (a) => tf.layers.globalMaxPooling1d(argsOf(tf.layers.globalMaxPooling1d, a)),
  ZeroPadding2D: (a) => tf.layers.zeroPadding2d(argsOf(tf.layers.zeroPadding2d, a)),
  Flatten: (a) => tf.layers.flatten(argsOf(tf.layers.flatten, a)),
  AthanorDropout: (a) =>
    new SeededDropout(argsOf((x: ConstructorParameters<typeof SeededDropout>[0]) => x, a)),
  Add: (a) => tf.layers.add(argsOf(tf.layers.add, a)),
  LSTM: (a) =>
    tf.layers.lstm(argsOf(tf.layers.lstm, { ...ZERO_KERNEL, recurrentInitializer: 'zeros', ...a })),
  GRU: (a) => tf.layers.gru(argsOf(tf.layers.gru, { ...ZERO_KERNEL, recurrentInitializer: 'zeros', ...a })),
  Bidirectional: (a) => {
    const inner = a.layer as { className: string; args: Args };
    const layer = createLayer(inner.className, {
      ...inner.args,
      name: `${String(a.name)}_${inner.className.toLowerCase()}`,
    });
    return tf.layers.bidirectional({
      layer: layer as tf.RNN,
      mergeMode: a.mergeMode as 'concat',
      name: a.name as string,
    });
  },
  Embedding: (a) =>
    tf.layers.embedding(argsOf(tf.layers.embedding, { embeddingsInitializer: 'zeros', ...a })),
  MultiHeadSelfAttention: (a) =>
    new MultiHeadSelfAttention(argsOf((x: ConstructorParameters<typeof MultiHeadSelfAttention>[0]) => x, a)),
  AthanorPositionEmbedding: (a) =>
    new PositionEmbedding(argsOf((x: ConstructorParameters<typeof PositionEmbedding>[0]) => x, a)),
  ClassToken: (a) => new ClassToken(argsOf((x: ConstructorParameters<typeof ClassToken>[0]) => x, a)),
  SequenceStep: (a) => new SequenceStep(argsOf((x: ConstructorParameters<typeof SequenceStep>[0]) => x, a)),
};

/** A tfjs layer for a plan node's class and arguments (`name` included in args). */
export function createLayer(className: string, args: Args): tf.layers.Layer {
  const factory = FACTORIES[className];
  if (!factory) throw new Error(`no factory for layer class ${className}`);
  return factory(args);
}
