import * as tf from '@tensorflow/tfjs';

/** The base arguments every tfjs layer takes (name, trainable, inputShape, ...). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

/** The one input of a single-input layer (tfjs hands over a tensor or a list). */
export function single<T>(inputs: T | T[]): T {
  return Array.isArray(inputs) ? inputs[0] : inputs;
}

/** The one input shape of a single-input layer. */
export function singleShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
  return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
}
