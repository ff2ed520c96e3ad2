/** One weight tensor a planned layer will own. */
export interface WeightPlan {
  /** Short name within the layer, e.g. `kernel`, `moving_mean`, `forward/kernel`. */
  readonly name: string;
  readonly shape: readonly number[];
  /** False for statistics (BatchNorm's moving mean and variance). */
  readonly trainable: boolean;
}

/**
 * A layer of a model before anything is allocated: the tfjs class and constructor arguments, its
 * inbound layers, its output shape and weights. Validation, cost estimates and budget checks run on
 * plans; `buildModel` turns one into a tf.LayersModel.
 */
export interface PlanNode {
  readonly name: string;
  /** tfjs class name (Athanor's custom layers included), e.g. `Conv2D`, `MultiHeadSelfAttention`. */
  readonly className: string;
  /** Constructor arguments (without `name`). */
  readonly args: Readonly<Record<string, unknown>>;
  /** Names of the inbound nodes (`input` is the model input). */
  readonly inputs: readonly string[];
  /** Output shape without the batch dimension. */
  readonly outputShape: readonly number[];
  readonly weights: readonly WeightPlan[];
}

export interface ModelPlan {
  readonly name: string;
  /** One example's shape, without the batch dimension. */
  readonly inputShape: readonly number[];
  /** `int32` for token ids (embedding inputs), else `float32`. */
  readonly inputDtype: 'float32' | 'int32';
  /** Token vocabulary when the input is ids (the sample batch of InspectInitialization draws below it). */
  readonly vocabSize?: number;
  readonly numClasses: number;
  /** In topological order; the last one produces the logits. */
  readonly nodes: readonly PlanNode[];
}

export const INPUT_NODE = 'input';

/** Elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Parameters of a plan node: total and trainable. */
export function paramsOf(node: Pick<PlanNode, 'weights'>): { total: number; trainable: number } {
  let total = 0;
  let trainable = 0;
  for (const w of node.weights) {
    const n = sizeOf(w.shape);
    total += n;
    if (w.trainable) trainable += n;
  }
  return { total, trainable };
}
