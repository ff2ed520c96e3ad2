import { training } from '@athanor/contracts';

/**
 * A TrainConfig for tests from its proto3 JSON: a small MLP on synthetic 4x4 data, SGD, unless
 * `overrides` (merged at the top level) say otherwise.
 */
export function tinyConfig(overrides: Record<string, unknown> = {}): training.TrainConfig {
  return training.TrainConfig.fromJSON({
    name: 'tiny',
    model: { spec: { name: 'tiny', mlp: { widths: [16] } } },
    dataset: {
      synthetic: {
        exampleShape: [4, 4, 1],
        numClasses: 4,
        trainExamples: 256,
        validationExamples: 64,
        seed: 1,
      },
    },
    optimizer: { sgd: { momentum: 0.9 }, lr: 0.05 },
    batchSize: 32,
    epochs: 2,
    seed: 7,
    ...overrides,
  });
}

/** A small CNN spec (conv > BN > ReLU > maxpool, linear head) for 8x8x1 inputs. */
export const TINY_CNN = {
  spec: {
    name: 'cnn',
    cnn: {
      stages: [
        { name: 'stage0', block: { channels: 4, pooling: { kind: 'POOLING_KIND_MAX' } } },
        { name: 'stage1', block: { channels: 8, pooling: { kind: 'POOLING_KIND_MAX' } } },
      ],
      globalAveragePool: false,
    },
  },
};
