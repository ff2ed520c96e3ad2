import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromArtifact, toArtifact } from '../artifact/model-artifact';
import { requirePlan } from '../plan';
import { summarize, summarizePlan } from '../summary/summarize';
import { initFromJson, REFERENCE_SPECS, specFromJson } from '../testing/specs';
import { buildModel } from './build-model';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Small variants of every family (and every option that changes the graph) keep the cpu backend quick.
const FAMILIES: Record<string, unknown> = {
  ...REFERENCE_SPECS,
  'reference-cnn': { ...(REFERENCE_SPECS['reference-cnn'] as object), inputShape: [12, 12, 1] },
  'reference-lstm': { ...(REFERENCE_SPECS['reference-lstm'] as object), inputShape: [6, 5] },
  'reference-transformer': { ...(REFERENCE_SPECS['reference-transformer'] as object), inputShape: [6, 5] },
  'resnet-ish': {
    inputShape: [16, 16, 3],
    numClasses: 5,
    cnn: {
      stem: { channels: 8, kernelSize: 3, stride: 2 },
      stages: [
        { name: 'stage1', numBlocks: 2, block: { channels: 8, convsPerBlock: 2, residual: true } },
        {
          name: 'stage2',
          block: {
            channels: 16,
            stride: 2,
            convsPerBlock: 2,
            residual: true,
            norm: 'NORM_KIND_GROUP',
            normGroups: 4,
            activation: 'ACTIVATION_SILU',
            pooling: { kind: 'POOLING_KIND_AVG', size: 2 },
            dropout: 0.1,
          },
        },
        {
          name: 'stage3',
          block: {
            channels: 8,
            paddingPixels: 1,
            norm: 'NORM_KIND_LAYER',
            activation: 'ACTIVATION_LEAKY_RELU',
            dilation: 1,
          },
        },
      ],
      widthMultiplier: 1.5,
      head: { hiddenUnits: [12], activation: 'ACTIVATION_GELU', dropout: 0.2 },
    },
  },
  'mlp-norms': {
    inputShape: [7],
    numClasses: 3,
    mlp: { widths: [16, 8], activation: 'ACTIVATION_TANH', norm: 'NORM_KIND_BATCH', dropout: 0.1 },
  },
  'gru-bidirectional': {
    inputShape: [5],
    numClasses: 4,
    rnn: {
      cell: 'RNN_CELL_GRU',
      units: 6,
      numLayers: 2,
      bidirectional: true,
      layerNorm: true,
      embedding: { vocabSize: 20, dim: 8 },
      pooling: 'SEQUENCE_POOLING_MEAN',
    },
  },
  'transformer-tokens': {
    inputShape: [6],
    numClasses: 3,
    transformer: {
      embedding: { vocabSize: 30 },
      positionalEncoding: 'POSITIONAL_ENCODING_SINUSOIDAL',
      numLayers: 2,
      dModel: 16,
      numHeads: 4,
      dropout: 0.1,
      pooling: 'SEQUENCE_POOLING_CLS',
      head: { hiddenUnits: [8] },
    },
  },
};

function sampleInput(model: tf.LayersModel, batch: number, seed: number): tf.Tensor {
  const shape = [batch, ...(model.inputs[0].shape.slice(1) as number[])];
  if (model.inputs[0].dtype === 'int32') return tf.randomUniform(shape, 0, 5, 'int32', seed);
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

describe.each(Object.entries(FAMILIES))('%s', (_name, json) => {
  const spec = specFromJson(json);

  it('has the parameter count its plan predicts, and the summaries agree', () => {
    const model = buildModel(spec, undefined, { seed: 1 });
    const plan = requirePlan(spec);
    const fromPlan = summarizePlan(plan);
    const fromModel = summarize(model);
    expect(fromPlan.totalParams).toBe(model.countParams());
    expect(fromModel.totalParams).toBe(model.countParams());
    expect(fromModel.trainableParams).toBe(fromPlan.trainableParams);
    expect(fromModel.flopsPerSample).toBe(fromPlan.flopsPerSample);
    expect(fromModel.activationBytesPerSample).toBe(fromPlan.activationBytesPerSample);
    // tfjs may order independent branches (a residual's projection) differently: compare by name.
    const byName = (s: typeof fromPlan) => s.layers.map((l) => [l.name, l.outputShape, l.params]).sort();
    expect(byName(fromModel)).toEqual(byName(fromPlan));
    expect(fromModel.outputShape).toEqual([spec.numClasses]);
    model.dispose();
  });

  it('trains a few steps, then saves and loads back with identical outputs', async () => {
    const model = buildModel(spec, undefined, { seed: 2 });
    const x = sampleInput(model, 4, 3);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0], 'int32'), spec.numClasses).toFloat();
    const optimizer = tf.train.sgd(0.05);
    const losses: number[] = [];
    for (let step = 0; step < 3; step++) {
      const loss = optimizer.minimize(
        () =>
          tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(
            y,
            model.apply(x, { training: true }) as tf.Tensor,
          ),
        true,
      )!;
      losses.push(loss.dataSync()[0]);
      loss.dispose();
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    const before = model.predict(x) as tf.Tensor;
    const artifact = await toArtifact(model, { spec: json });
    const loaded = await fromArtifact(artifact);
    const after = loaded.predict(x) as tf.Tensor;
    expect(Array.from(after.dataSync())).toEqual(Array.from(before.dataSync()));
    expect(loaded.layers.map((l) => l.getClassName())).toEqual(model.layers.map((l) => l.getClassName()));
    tf.dispose([x, y, before, after]);
    optimizer.dispose();
    model.dispose();
    loaded.dispose();
  });
});

describe('initialisation', () => {
  const spec = specFromJson(FAMILIES['resnet-ish']);

  it('is bit-reproducible from the seed, and differs with another seed', () => {
    const weights = (seed: number) => {
      const model = buildModel(spec, undefined, { seed });
      const values = model.getWeights().map((w) => Array.from(w.dataSync()));
      model.dispose();
      return values;
    };
    const a = weights(7);
    expect(weights(7)).toEqual(a);
    expect(weights(8)).not.toEqual(a);
  });

  it('follows the InitSpec per layer kind and per-layer overrides', () => {
    const init = initFromJson({
      seed: 3,
      conv: { kaimingNormal: { mode: 'FAN_MODE_FAN_OUT', nonlinearity: 'NONLINEARITY_RELU' } },
      dense: { zeros: {} },
      norm: { constant: { value: 0.5 } },
      overrides: [{ layerPattern: 'logits', weight: { ones: {} }, bias: { constant: { value: 2 } } }],
    });
    const model = buildModel(spec, init);
    const value = (name: string) => model.weights.find((w) => w.originalName === name)!.read();
    expect(Array.from(value('head_dense0/kernel').dataSync()).every((v) => v === 0)).toBe(true);
    expect(Array.from(value('logits/kernel').dataSync()).every((v) => v === 1)).toBe(true);
    expect(Array.from(value('logits/bias').dataSync()).every((v) => v === 2)).toBe(true);
    expect(Array.from(value('stage1_block0_norm0/gamma').dataSync()).every((v) => v === 0.5)).toBe(true);
    // kaiming_normal fan_out relu: std sqrt(2 / (3 * 3 * 12)) for a 3x3 conv with 12 output channels.
    const kernel = value('stage1_block0_conv0/kernel');
    const std = Math.sqrt(tf.moments(kernel).variance.dataSync()[0]);
    expect(kernel.shape).toEqual([3, 3, 12, 12]);
    expect(std).toBeGreaterThan(0.75 * Math.sqrt(2 / 108));
    expect(std).toBeLessThan(1.25 * Math.sqrt(2 / 108));
    model.dispose();
  });

  it('uses PyTorch defaults without an InitSpec (Linear: U(+-1/sqrt(fan_in)))', () => {
    const model = buildModel(
      specFromJson({ inputShape: [100], numClasses: 50, mlp: { depth: 1, width: 400 } }),
      undefined,
      { seed: 1 },
    );
    const kernel = model.weights.find((w) => w.originalName === 'dense0/kernel')!.read();
    const bias = model.weights.find((w) => w.originalName === 'dense0/bias')!.read();
    expect(tf.max(tf.abs(kernel)).dataSync()[0]).toBeLessThanOrEqual(0.1);
    expect(tf.max(tf.abs(kernel)).dataSync()[0]).toBeGreaterThan(0.099);
    expect(tf.max(tf.abs(bias)).dataSync()[0]).toBeLessThanOrEqual(0.1);
    model.dispose();
  });
});
