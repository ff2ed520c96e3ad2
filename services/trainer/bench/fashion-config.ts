import { training } from '@athanor/contracts';

/** The benchmark's TrainConfig (proto3 JSON, as `athanor train --config` reads it). */
export function fashionConfig(epochs: number, steps: number): training.TrainConfig {
  const stepsPerEpoch = Math.ceil(60_000 / 64);
  return training.TrainConfig.fromJSON({
    name: 'fashion-reference-cnn',
    model: {
      spec: {
        name: 'cnn',
        cnn: {
          stages: [
            { name: 'stage0', block: { channels: 16, bias: false, pooling: { kind: 'POOLING_KIND_MAX' } } },
            { name: 'stage1', block: { channels: 32, bias: true, pooling: { kind: 'POOLING_KIND_MAX' } } },
          ],
          globalAveragePool: false,
        },
      },
    },
    dataset: { name: 'fashion-mnist', normalization: { kind: 'NORMALIZATION_KIND_SCALE' } },
    optimizer: { sgd: { momentum: 0.9 }, lr: 0.05 },
    scheduler: { oneCycle: { maxLr: 0.05, totalSteps: epochs * stepsPerEpoch } },
    batchSize: 64,
    ...(steps > 0 ? { maxSteps: steps, validation: { disabled: true } } : { epochs }),
    gradientStats: { everyNSteps: -1 },
    checkpoint: { saveFinal: false },
    seed: 0,
  });
}
