import {
  Adam,
  AdamW,
  clipGradNorm,
  clipGradValue,
  globMatch,
  gradStats,
  type Optimizer,
  type OptimizerState,
  RMSprop,
  SGD,
} from '@athanor/training-core';
import * as tf from '@tensorflow/tfjs';
import type { DataSource, HostBatch } from '../data/data-source';
import type { ResolvedOptimizer, ResolvedTrainConfig } from '../run-config/resolve-config';

/** One trainable tensor and where it belongs. */
export interface TrackedVariable {
  readonly variable: tf.Variable;
  readonly layer: string;
  readonly group: string;
}

export interface StepResult {
  readonly loss: number;
  readonly correct: number;
  readonly size: number;
  /** Global L2 norm of the gradients before clipping. */
  readonly gradientNorm: number;
  readonly clipped: boolean;
  /** Per-layer statistics when requested for this step. */
  readonly layerStats?: LayerStats[];
}

export interface LayerStats {
  readonly layer: string;
  readonly group: string;
  readonly gradientNorm: number;
  readonly weightNorm: number;
  readonly lr: number;
}

export interface ValidationTotals {
  readonly loss: number;
  readonly top1: number;
  readonly top5?: number;
  readonly examples: number;
}

/** Thrown before an update would apply NaN/Infinity. */
export class DivergedError extends Error {
  override readonly name = 'DivergedError';
}

/** Thrown when the config does not fit the model (a group that matches no layer, ...). */
export class ModelConfigError extends Error {
  override readonly name = 'ModelConfigError';
}

type AnyOptimizer = Optimizer<{
  name: string;
  variables: readonly tf.Variable[];
  lr: number;
  initialLr: number;
  weightDecay: number;
}>;

/**
 * A model, its data and its optimizer, and the one training step: loss and gradients computed with
 * tf.variableGrads inside one tidy (libs/compute's fast path), checked for non-finite values before
 * anything is applied, clipped, then handed to the training-core optimizer. No tensor outlives a step.
 */
export class TrainingSession {
  readonly variables: readonly TrackedVariable[];
  readonly groupNames: readonly string[];
  readonly optimizer: AnyOptimizer;
  private readonly trainable: tf.Variable[];
  private readonly inputShape: readonly number[];

  constructor(
    readonly model: tf.LayersModel,
    readonly data: DataSource,
    readonly config: Pick<ResolvedTrainConfig, 'optimizer' | 'labelSmoothing' | 'clipping' | 'gradientStats'>,
  ) {
    this.inputShape = data.exampleShape;
    const groups = config.optimizer.groups;
    const tracked: TrackedVariable[] = [];
    const used = new Set<number>();
    for (const layer of model.layers) {
      for (const w of layer.trainableWeights) {
        const gi = groups.findIndex((g) => g.patterns.some((p) => globMatch(p, layer.name)));
        if (gi >= 0) used.add(gi);
        const group = gi >= 0 ? groups[gi].name : 'default';
        const variable = w.read() as tf.Variable;
        if (gi >= 0 && groups[gi].frozen) {
          variable.trainable = false;
          continue;
        }
        tracked.push({ variable, layer: layer.name, group });
      }
    }
    groups.forEach((g, i) => {
      if (!used.has(i))
        throw new ModelConfigError(
          `config.optimizer.parameter_groups[${i}].layer_patterns: ${JSON.stringify(g.patterns)} match no layer (layers: ${model.layers
            .filter((l) => l.trainableWeights.length > 0)
            .map((l) => l.name)
            .join(', ')})`,
        );
    });
    this.variables = tracked;
    this.trainable = tracked.map((t) => t.variable);
    const active = [...groups.filter((g) => !g.frozen).map((g) => g.name), 'default'].filter((name) =>
      tracked.some((t) => t.group === name),
    );
    this.groupNames = active;
    this.optimizer = createOptimizer(config.optimizer, active, tracked);
  }

  /** Sets each group's lr (and momentum, when a schedule drives it) for the next step. */
  applyLrs(lrs: readonly number[], momentums?: readonly number[]): void {
    this.optimizer.setLr(lrs);
    if (momentums !== undefined) this.optimizer.setMomentum(momentums);
  }

  /** One optimizer step on `batch`. Throws DivergedError (weights untouched) on a non-finite loss or gradient. */
  async step(batch: HostBatch, withStats: boolean): Promise<StepResult> {
    const { x, y } = this.tensors(batch);
    const smoothing = this.config.labelSmoothing;
    const k = this.data.numClasses;
    let correctT: tf.Scalar | undefined;
    const { value, grads, gnorm } = tf.tidy(() => {
      const targets = tf.oneHot(y, k).toFloat();
      const smoothed = smoothing > 0 ? targets.mul(1 - smoothing).add(smoothing / k) : targets;
      const out = tf.variableGrads(() => {
        const logits = this.model.apply(x, { training: true }) as tf.Tensor2D;
        correctT = tf.keep(tf.sum<tf.Scalar>(tf.equal(tf.argMax(logits, 1), y).toFloat()));
        return tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(smoothed, logits);
      }, this.trainable);
      const squares = Object.values(out.grads).map((g) => tf.sum(tf.square(g)));
      const norm2 = squares.length > 0 ? tf.addN(squares) : tf.scalar(0);
      return { value: out.value, grads: out.grads, gnorm: norm2 };
    });
    let toDispose: tf.Tensor[] = [x, y, value, gnorm, correctT!, ...Object.values(grads)];
    try {
      const [lossV, correctV, norm2V] = [value.dataSync()[0], correctT!.dataSync()[0], gnorm.dataSync()[0]];
      const gradientNorm = Math.sqrt(norm2V);
      if (!Number.isFinite(lossV)) throw new DivergedError(`loss is ${lossV}`);
      if (!Number.isFinite(gradientNorm))
        throw new DivergedError(`gradient norm is ${gradientNorm} (loss ${lossV})`);
      const layerStats = withStats ? await this.layerStats(grads) : undefined;
      let applied: tf.NamedTensorMap = grads;
      let clipped = false;
      const clip = this.config.clipping;
      if (clip?.kind === 'norm') {
        if (gradientNorm > clip.maxNorm || clip.normType !== 2) {
          const c = await clipGradNorm(grads, clip.maxNorm, clip.normType);
          applied = c.grads;
          clipped = c.totalNorm > clip.maxNorm;
          toDispose = toDispose.concat(Object.values(applied));
        }
      } else if (clip?.kind === 'value') {
        applied = clipGradValue(grads, clip.clipValue);
        toDispose = toDispose.concat(Object.values(applied));
        clipped = true;
      }
      this.optimizer.step(applied);
      return {
        loss: lossV,
        correct: correctV,
        size: batch.size,
        gradientNorm,
        clipped,
        ...(layerStats ? { layerStats } : {}),
      };
    } finally {
      tf.dispose(toDispose);
    }
  }

  /** Loss (mean cross-entropy without smoothing), top-1 and top-5 over validation batches. */
  validate(batchSize: number, maxBatches: number): ValidationTotals {
    const n = this.data.validationSize;
    const k = this.data.numClasses;
    const evalBatch = Math.max(batchSize, 256);
    let loss = 0;
    let top1 = 0;
    let top5 = 0;
    let examples = 0;
    for (let b = 0; b * evalBatch < n && (maxBatches === 0 || b < maxBatches); b++) {
      const batch = this.data.validationBatch(b, evalBatch);
      const { x, y } = this.tensors(batch);
      const sums = tf.tidy(() => {
        const logits = this.model.apply(x, { training: false }) as tf.Tensor2D;
        const targets = tf.oneHot(y, k).toFloat();
        const ce = tf.losses.softmaxCrossEntropy(targets, logits, undefined, 0, tf.Reduction.NONE);
        const c1 = tf.equal(tf.argMax(logits, 1), y).toFloat().sum();
        const c5: tf.Tensor = k > 5 ? topKCorrect(logits, y, 5) : tf.scalar(0);
        return tf.stack([ce.sum(), c1, c5]);
      });
      const [l, c1, c5] = sums.dataSync();
      tf.dispose([x, y, sums]);
      loss += l;
      top1 += c1;
      top5 += c5;
      examples += batch.size;
    }
    if (examples === 0) return { loss: NaN, top1: 0, examples: 0 };
    return {
      loss: loss / examples,
      top1: top1 / examples,
      ...(k > 5 ? { top5: top5 / examples } : {}),
      examples,
    };
  }

  /** Every weight of the model (trainable or not, BatchNorm statistics included), in model order. */
  weights(): tf.Tensor[] {
    return this.model.weights.map((w) => w.read());
  }

  async optimizerState(): Promise<OptimizerState> {
    return this.optimizer.getState();
  }

  /** Restores an optimizer state whose variables are keyed by index into `variables` (see checkpoint). */
  loadOptimizerState(state: OptimizerState): void {
    this.optimizer.setState(state);
  }

  dispose(): void {
    this.optimizer.dispose();
  }

  private tensors(batch: HostBatch): { x: tf.Tensor; y: tf.Tensor1D } {
    return {
      x: tf.tensor(batch.x, [batch.size, ...this.inputShape], 'float32'),
      y: tf.tensor1d(batch.y, 'int32'),
    };
  }

  private async layerStats(grads: tf.NamedTensorMap): Promise<LayerStats[]> {
    const stats = await gradStats(grads);
    const norms = new Map(stats.layers.map((l) => [l.name, l.l2Norm]));
    const weightNorms = tf.tidy(() => tf.stack(this.variables.map((t) => tf.norm(t.variable))));
    const wn = weightNorms.dataSync();
    weightNorms.dispose();
    const lrs = new Map(this.optimizer.paramGroups.map((g) => [g.name, g.lr]));
    const byLayer = new Map<string, { group: string; g2: number; w2: number }>();
    this.variables.forEach((t, i) => {
      const entry = byLayer.get(t.layer) ?? { group: t.group, g2: 0, w2: 0 };
      entry.g2 += (norms.get(t.variable.name) ?? 0) ** 2;
      entry.w2 += wn[i] ** 2;
      byLayer.set(t.layer, entry);
    });
    return [...byLayer].map(([layer, e]) => ({
      layer,
      group: e.group,
      gradientNorm: Math.sqrt(e.g2),
      weightNorm: Math.sqrt(e.w2),
      lr: lrs.get(e.group) ?? 0,
    }));
  }
}

/** Count of examples whose label is among the k largest logits. */
function topKCorrect(logits: tf.Tensor2D, labels: tf.Tensor1D, k: number): tf.Scalar {
  const { indices } = tf.topk(logits, k);
  return tf.equal(indices, labels.expandDims(1)).toFloat().sum();
}

function createOptimizer(
  spec: ResolvedOptimizer,
  groupNames: readonly string[],
  tracked: readonly TrackedVariable[],
): AnyOptimizer {
  const groups = groupNames.map((name) => {
    const g = spec.groups.find((x) => x.name === name);
    const lr = g === undefined ? spec.lr : (g.lr ?? spec.lr * g.lrMultiplier);
    return {
      name,
      variables: tracked.filter((t) => t.group === name).map((t) => t.variable),
      lr,
      weightDecay: g?.weightDecay ?? spec.weightDecay,
    };
  });
  switch (spec.kind) {
    case 'sgd':
      return new SGD(groups, {
        lr: spec.lr,
        momentum: spec.momentum,
        dampening: spec.dampening,
        nesterov: spec.nesterov,
        weightDecay: spec.weightDecay,
      });
    case 'adam':
      return new Adam(groups, {
        lr: spec.lr,
        betas: spec.betas,
        eps: spec.eps,
        weightDecay: spec.weightDecay,
        amsgrad: spec.amsgrad,
      });
    case 'adamw':
      return new AdamW(groups, {
        lr: spec.lr,
        betas: spec.betas,
        eps: spec.eps,
        weightDecay: spec.weightDecay,
        amsgrad: spec.amsgrad,
      });
    case 'rmsprop':
      return new RMSprop(groups, {
        lr: spec.lr,
        alpha: spec.alpha,
        eps: spec.eps,
        momentum: spec.momentum,
        centered: spec.centered,
        weightDecay: spec.weightDecay,
      });
  }
}
