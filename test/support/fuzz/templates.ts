// Valid values of the messages that carry most of the validation (proto3 JSON). The fuzzer starts
// from them and corrupts one thing at a time, so a hostile value reaches the code that checks it
// instead of failing on the first missing required field.

export const tinyModel = (): Record<string, unknown> => ({
  name: 'fuzz',
  inputShape: [8, 8, 1],
  numClasses: 4,
  cnn: { stages: [{ numBlocks: 1, block: { channels: 4, kernelSize: 3, norm: 'NORM_KIND_BATCH' } }] },
});

/** A CNN with 10^9 channels per conv: billions of parameters, refused before anything is allocated. */
export const absurdModel = (): Record<string, unknown> => ({
  name: 'absurd',
  inputShape: [4096, 4096, 3],
  numClasses: 1_000_000_000,
  cnn: {
    stages: [
      { numBlocks: 1_000_000, block: { channels: 1_000_000_000, kernelSize: 99, convsPerBlock: 1000 } },
    ],
    widthMultiplier: 1e9,
  },
});

export const tinyTrainConfig = (model: Record<string, unknown> = tinyModel()): Record<string, unknown> => ({
  name: 'fuzz',
  model: { spec: model },
  dataset: {
    synthetic: { exampleShape: [8, 8, 1], numClasses: 4, trainExamples: 32, validationExamples: 8, seed: 1 },
  },
  optimizer: { sgd: { momentum: 0.9 }, lr: 0.05 },
  scheduler: { cosineAnnealing: { tMax: 4, etaMin: 0 } },
  warmup: { steps: 1 },
  batchSize: 8,
  maxSteps: 2,
  seed: 3,
  metrics: { disabled: true },
  gradientStats: { everyNSteps: -1 },
});

export const tinyStudySpec = (model: Record<string, unknown> = tinyModel()): Record<string, unknown> => ({
  name: 'fuzz',
  objective: { metric: 'val_loss', direction: 'OBJECTIVE_DIRECTION_MINIMIZE' },
  searchSpace: {
    parameters: [
      { name: 'batch_size', discrete: { values: [8, 16] } },
      { name: 'optimizer.sgd.momentum', doubleRange: { low: 0.5, high: 0.99 } },
    ],
  },
  algorithm: { random: {}, seed: 1 },
  pruner: { asha: { minResource: 1, reductionFactor: 2 } },
  budget: { maxTrials: 2, maxParallelTrials: 1 },
  baseConfig: tinyTrainConfig(model),
  scaling: { rule: 'SCALING_RULE_LINEAR', referenceBatchSize: 8, baseLr: 0.05, warmupEpochs: 1 },
});

/** Templates by fully qualified message name. */
export const TEMPLATES: Record<string, (absurd: boolean) => Record<string, unknown>> = {
  'athanor.modelbuilder.v1.ModelSpec': (absurd) => (absurd ? absurdModel() : tinyModel()),
  'athanor.training.v1.TrainConfig': (absurd) => tinyTrainConfig(absurd ? absurdModel() : tinyModel()),
  'athanor.tuner.v1.StudySpec': (absurd) => tinyStudySpec(absurd ? absurdModel() : tinyModel()),
  'athanor.training.v1.SchedulerSpec': () => ({ step: { stepSize: 2, gamma: 0.5 } }),
};
