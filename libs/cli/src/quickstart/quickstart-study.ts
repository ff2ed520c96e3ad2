import { training, tuner } from '@athanor/contracts';

/** The reference batch size: the LR range test runs at it and the linear rule scales from it. */
export const REFERENCE_BATCH = 64;

/** Training examples per trial: a sixth of Fashion-MNIST keeps the study under ten minutes on 2 cores. */
const TRAIN_EXAMPLES = 10_000;
const VALIDATION_EXAMPLES = 2_000;
const EPOCHS = 3;

/**
 * The reference CNN (CNN + BatchNorm + ReLU, the seed's rule for convolutional nets) on
 * Fashion-MNIST scaled to [0, 1]: what the LR range test probes and every trial starts from.
 */
export function quickstartBaseConfig(): training.TrainConfig {
  return training.TrainConfig.fromJSON({
    name: 'quickstart-fashion-cnn',
    model: {
      spec: {
        name: 'reference-cnn',
        cnn: {
          stages: [
            { name: 'stage0', block: { channels: 16, bias: false, pooling: { kind: 'POOLING_KIND_MAX' } } },
            { name: 'stage1', block: { channels: 32, bias: false, pooling: { kind: 'POOLING_KIND_MAX' } } },
          ],
          globalAveragePool: false,
        },
      },
    },
    dataset: {
      name: 'fashion-mnist',
      normalization: { kind: 'NORMALIZATION_KIND_SCALE' },
      maxTrainExamples: TRAIN_EXAMPLES,
      maxValidationExamples: VALIDATION_EXAMPLES,
    },
    optimizer: { sgd: { momentum: 0.9, weightDecay: 5e-4 }, lr: 0.05 },
    batchSize: REFERENCE_BATCH,
    epochs: EPOCHS,
    schedulerStepUnit: 'SCHEDULER_STEP_UNIT_EPOCH',
    schedulerMonitor: 'val_loss',
    gradientStats: { everyNSteps: 25 },
    metrics: { everyNSteps: 5, perLayerGradientNorms: true },
    // Every epoch: a worker killed mid-trial loses at most one epoch (the trial resumes elsewhere).
    checkpoint: { everyNEpochs: 1 },
    seed: 0,
  });
}

/** A categorical choice of a whole sub-message: the tuner writes the chosen JSON into the field. */
const json = (value: object): string => JSON.stringify(value);

/** The schedulers compared, stepped once per epoch (PyTorch order: after the epoch's last step). */
export const QUICKSTART_SCHEDULERS = [
  json({ cosineAnnealing: { tMax: EPOCHS, etaMin: 0 } }),
  json({ step: { stepSize: 2, gamma: 0.1 } }),
  json({ reduceOnPlateau: { mode: 'min', factor: 0.1, patience: 0 } }),
];

/** Kaiming (He et al. 2015, for ReLU) against Xavier (Glorot & Bengio 2010) on every conv and dense layer. */
export const QUICKSTART_INITS = [
  json({ conv: { kaimingNormal: {} }, dense: { kaimingNormal: {} } }),
  json({ conv: { xavierUniform: {} }, dense: { xavierUniform: {} } }),
];

/**
 * The quick-start study: batch size (powers of two from 32, the LR by the linear rule of Goyal et
 * al. 2017 from the LR range test's answer at batch 64, with one epoch of warm-up), scheduler and
 * initialisation; TPE, ASHA on validation accuracy by epoch, two trials at a time.
 */
export function quickstartStudy(name: string, baseLr: number, parallel: number): tuner.StudySpec {
  return tuner.StudySpec.fromJSON({
    name,
    description:
      'Reference CNN on Fashion-MNIST: batch size with the linear LR rule and warm-up, scheduler, initialisation.',
    objective: { metric: 'val_top1', direction: 'OBJECTIVE_DIRECTION_MAXIMIZE' },
    baseConfig: training.TrainConfig.toJSON(quickstartBaseConfig()),
    scaling: {
      rule: 'SCALING_RULE_LINEAR',
      referenceBatchSize: REFERENCE_BATCH,
      baseLr,
      warmupEpochs: 1,
    },
    searchSpace: {
      parameters: [
        { name: 'batch_size', discrete: { values: [32, 64, 128, 256] } },
        { name: 'scheduler', categorical: { choices: QUICKSTART_SCHEDULERS } },
        { name: 'init', categorical: { choices: QUICKSTART_INITS } },
      ],
    },
    algorithm: { tpe: { nStartupTrials: 6 }, seed: 0 },
    pruner: { asha: { minResource: 1, reductionFactor: 3 } },
    budget: { maxTrials: 10, maxParallelTrials: parallel },
    labels: { 'athanor.dev/quickstart': 'true' },
  });
}
