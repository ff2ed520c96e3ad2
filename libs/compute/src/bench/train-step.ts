import * as tf from '@tensorflow/tfjs';

export interface Trainer {
  /** One SGD step on a batch of inputs and one-hot labels; leaves no tensors behind. */
  step(x: tf.Tensor, labels: tf.Tensor): void;
  dispose(): void;
}

/**
 * torch_bench.py's step: softmax cross-entropy (mean over the batch) and SGD with momentum 0.9,
 * lr 0.01 (tfjs's momentum optimizer is PyTorch's: v = m v + g, w -= lr v), with BatchNorm in
 * training mode.
 */
export function sgdTrainer(model: tf.LayersModel, learningRate = 0.01, momentum = 0.9): Trainer {
  const optimizer = tf.train.momentum(learningRate, momentum);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  return {
    step(x, labels) {
      optimizer.minimize(
        () => {
          const logits = model.apply(x, { training: true }) as tf.Tensor;
          return tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(labels, logits);
        },
        false,
        variables,
      );
    },
    dispose() {
      optimizer.dispose();
    },
  };
}

/** `count` batches of standard-normal inputs and random one-hot labels over 10 classes. */
export function randomBatches(
  count: number,
  batchSize: number,
  inputShape: readonly number[],
): [tf.Tensor, tf.Tensor][] {
  return Array.from({ length: count }, () =>
    tf.tidy((): [tf.Tensor, tf.Tensor] => {
      const x = tf.randomNormal([batchSize, ...inputShape]);
      const y = tf.oneHot(tf.randomUniform([batchSize], 0, 10, 'int32'), 10);
      return [x, y];
    }),
  );
}
