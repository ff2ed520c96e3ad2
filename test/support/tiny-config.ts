import { training } from '@athanor/contracts';

/**
 * A TrainConfig that trains in well under a second: a small MLP on synthetic 4x4 images, SGD;
 * `overrides` (proto3 JSON, merged at the top level) adapt it to a test.
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
