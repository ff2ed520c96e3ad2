import type { modelbuilder } from '@athanor/contracts';
import * as tf from '@tensorflow/tfjs';
import { buildFromPlan, checkInit, resolveSeed } from '../build/build-model';
import type { ModelPlan } from '../plan';
import { randomBatch, type RandomSampleOptions } from './sample-batch';

/** Gradient norms below this are vanishing, above EXPLODING exploding (the thresholds InitReport documents). */
export const VANISHING_GRADIENT = 1e-7;
export const EXPLODING_GRADIENT = 1e3;

const ACTIVATION_CLASSES = new Set(['ReLU', 'LeakyReLU', 'Activation']);

export interface InspectOptions {
  /** Examples in the sample batch. Default 256. */
  readonly batchSize?: number;
  /** Seed of the sample batch and of candidates without their own. Default 0. */
  readonly seed?: number;
  readonly random?: RandomSampleOptions;
  /**
   * Real examples instead of random ones: `batchSize` examples of the plan's input shape, flat in
   * `x`, with their class labels.
   */
  readonly sample?: { readonly x: Float32Array; readonly labels: Int32Array };
  /** Called between candidates; throw to stop (e.g. a passed deadline). */
  readonly checkpoint?: () => void;
}

export interface InitCandidate {
  readonly label?: string;
  readonly init?: modelbuilder.InitSpec;
}

/**
 * Signal propagation at initialisation: for each candidate, one forward pass (training mode) on the
 * same sample batch with every layer's output kept, and one backward pass of the cross-entropy.
 * Per layer: activation mean/std, share of dead units, gradient norm and std of its kernel.
 * Healthy initialisations keep activation std and gradient norms roughly constant across depth.
 */
export function inspectInitialization(
  plan: ModelPlan,
  candidates: readonly InitCandidate[],
  options: InspectOptions = {},
): modelbuilder.InitReport[] {
  const batchSize = options.batchSize ?? 256;
  const seed = options.seed ?? 0;
  candidates.forEach((c) => checkInit(plan, c.init));
  const { xs, ys } = options.sample
    ? sampleBatch(plan, batchSize, options.sample)
    : randomBatch(plan, batchSize, seed, options.random);
  try {
    return candidates.map((candidate, i) => {
      options.checkpoint?.();
      const candidateSeed = resolveSeed(candidate.init, seed);
      const model = buildFromPlan(plan, candidate.init, candidateSeed);
      try {
        const report = inspectModel(model, xs, ys);
        return {
          ...report,
          label: candidate.label || `candidate${i}`,
          init: { ...(candidate.init ?? emptyInit()), seed: candidateSeed },
        };
      } finally {
        model.dispose();
      }
    });
  } finally {
    tf.dispose([xs, ys]);
  }
}

function sampleBatch(
  plan: ModelPlan,
  batchSize: number,
  sample: NonNullable<InspectOptions['sample']>,
): { xs: tf.Tensor; ys: tf.Tensor } {
  const perExample = plan.inputShape.reduce((a, b) => a * b, 1);
  if (sample.x.length !== batchSize * perExample || sample.labels.length !== batchSize) {
    throw new Error(
      `sample: expected ${batchSize} examples of [${plan.inputShape.join(', ')}], got ${sample.labels.length} labels and ${sample.x.length} values`,
    );
  }
  const xs = tf.tensor(sample.x, [batchSize, ...plan.inputShape], 'float32');
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(sample.labels, 'int32'), plan.numClasses).toFloat());
  return { xs, ys };
}

type Stats = Omit<modelbuilder.InitReport, 'label' | 'init'>;

/** The report of one model on one batch (labels one-hot). */
export function inspectModel(model: tf.LayersModel, xs: tf.Tensor, ys: tf.Tensor): Stats {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const tap = tf.model({ inputs: model.inputs, outputs: layers.map((l) => l.output as tf.SymbolicTensor) });
  const activations = tf.tidy(() => {
    const outs = tap.apply(xs, { training: true }) as tf.Tensor | tf.Tensor[];
    const list = Array.isArray(outs) ? outs : [outs];
    return list.map((t) => {
      const flat = t.reshape([-1, t.shape[t.shape.length - 1] ?? 1]).toFloat();
      const { mean, variance } = tf.moments(flat);
      const dead = tf
        .equal(tf.max(tf.abs(flat), 0), 0)
        .toFloat()
        .mean();
      return [mean.dataSync()[0], Math.sqrt(variance.dataSync()[0]), dead.dataSync()[0]];
    });
  });
  const kernelOf = (layer: tf.layers.Layer) =>
    layer.weights.find((w) => /(^|\/|_)kernel$|\/embeddings$/.test(w.originalName) && w.trainable);
  const variables = layers
    .map(kernelOf)
    .filter((v): v is tf.LayerVariable => v !== undefined)
    .map((v) => v.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(
    () =>
      tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(
        ys,
        model.apply(xs, { training: true }) as tf.Tensor,
      ),
    variables,
  );
  const loss = value.dataSync()[0];
  const gradNorms = new Map<string, number>();
  for (const [name, g] of Object.entries(grads))
    gradNorms.set(
      name,
      tf.tidy(() => tf.norm(g).dataSync()[0]),
    );
  tf.dispose([value, ...Object.values(grads)]);

  const stats: modelbuilder.LayerInitStats[] = layers.map((layer, depth) => {
    const kernel = kernelOf(layer);
    const gradientNorm = kernel ? (gradNorms.get((kernel.read() as tf.Variable).name) ?? 0) : 0;
    const weightStd = kernel ? tf.tidy(() => Math.sqrt(tf.moments(kernel.read()).variance.dataSync()[0])) : 0;
    const [activationMean, activationStd, deadUnitFraction] = activations[depth];
    return {
      layer: layer.name,
      className: layer.getClassName(),
      depth,
      activationMean,
      activationStd,
      deadUnitFraction,
      gradientNorm,
      weightStd,
      vanishing: kernel !== undefined && gradientNorm < VANISHING_GRADIENT,
      exploding:
        kernel !== undefined && (!Number.isFinite(gradientNorm) || gradientNorm > EXPLODING_GRADIENT),
    };
  });
  return { layers: stats, loss, ...ratiosAndWarnings(stats, loss) };
}

function ratiosAndWarnings(
  stats: readonly modelbuilder.LayerInitStats[],
  loss: number,
): Pick<Stats, 'activationStdRatio' | 'gradientNormRatio' | 'warnings'> {
  const warnings: string[] = [];
  const weighted = stats.filter((s) => s.weightStd > 0);
  // Hidden activations: the nonlinearity layers; without any, the weighted layers except the head.
  let hidden = stats.filter((s) => ACTIVATION_CLASSES.has(s.className));
  if (hidden.length < 2) hidden = weighted.slice(0, -1);
  const first = hidden[0];
  const last = hidden[hidden.length - 1];
  const activationStdRatio =
    first && last && first.activationStd > 0 ? last.activationStd / first.activationStd : 1;
  const g0 = weighted[0]?.gradientNorm ?? 0;
  const g1 = weighted[weighted.length - 1]?.gradientNorm ?? 0;
  const gradientNormRatio = g1 > 0 ? g0 / g1 : 1;
  const span = `over ${hidden.length} layers (${first?.layer ?? '-'} to ${last?.layer ?? '-'})`;
  if (activationStdRatio < 0.1)
    warnings.push(`activation std falls ${fmt(1 / activationStdRatio)}x ${span}: vanishing`);
  if (activationStdRatio > 10)
    warnings.push(`activation std grows ${fmt(activationStdRatio)}x ${span}: exploding`);
  if (gradientNormRatio < 0.01) {
    warnings.push(
      `gradient norm of the first layer is ${fmt(gradientNormRatio)}x the last's: vanishing gradients`,
    );
  }
  if (gradientNormRatio > 100) {
    warnings.push(
      `gradient norm of the first layer is ${fmt(gradientNormRatio)}x the last's: exploding gradients`,
    );
  }
  for (const s of stats) {
    if (s.deadUnitFraction > 0.5)
      warnings.push(`${s.layer}: ${Math.round(100 * s.deadUnitFraction)}% of units are dead`);
    if (s.vanishing)
      warnings.push(`${s.layer}: gradient norm ${fmt(s.gradientNorm)} below ${VANISHING_GRADIENT}`);
    if (s.exploding)
      warnings.push(`${s.layer}: gradient norm ${fmt(s.gradientNorm)} above ${EXPLODING_GRADIENT}`);
  }
  if (!Number.isFinite(loss)) warnings.push(`the loss is ${loss}: the forward pass overflows`);
  return { activationStdRatio, gradientNormRatio, warnings };
}

function fmt(x: number): string {
  return Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-2 && x !== 0) ? x.toExponential(1) : x.toPrecision(3);
}

function emptyInit(): modelbuilder.InitSpec {
  return {
    conv: undefined,
    dense: undefined,
    recurrent: undefined,
    recurrentState: undefined,
    embedding: undefined,
    norm: undefined,
    bias: undefined,
    overrides: [],
    pretrained: undefined,
  };
}
