import * as tf from '@tensorflow/tfjs';
import type { ReferenceModel } from './reference-models';
import { randomBatches, sgdTrainer } from './train-step';

export interface BenchResult {
  readonly model: string;
  readonly backend: string;
  readonly batchSize: number;
  readonly steps: number;
  readonly samplesPerSec: number;
}

/** torch_bench.py's warm-up: these steps run before the clock starts. */
export const WARMUP_STEPS = 5;
// A few distinct batches, made before timing as torch_bench.py makes all of its data up front.
const DISTINCT_BATCHES = 4;

/** Trains `spec` on the active backend: `warmup` untimed steps, then `steps` timed ones. */
export function benchModel(
  spec: ReferenceModel,
  backend: string,
  steps: number,
  warmup = WARMUP_STEPS,
): BenchResult {
  const model = spec.build();
  const trainer = sgdTrainer(model);
  const batches = randomBatches(DISTINCT_BATCHES, spec.batchSize, spec.inputShape);
  const run = (i: number): void => {
    const [x, y] = batches[i % batches.length];
    trainer.step(x, y);
  };
  try {
    for (let i = 0; i < warmup; i++) run(i);
    const start = performance.now();
    for (let i = 0; i < steps; i++) run(warmup + i);
    // Native backends may still be computing; reading a weight waits for them (no-op on wasm/cpu).
    (model.trainableWeights[0]?.read() as tf.Tensor | undefined)?.dataSync();
    const seconds = (performance.now() - start) / 1000;
    const samplesPerSec = Math.round((10 * spec.batchSize * steps) / seconds) / 10;
    return { model: spec.name, backend, batchSize: spec.batchSize, steps, samplesPerSec };
  } finally {
    for (const [x, y] of batches) tf.dispose([x, y]);
    trainer.dispose();
    model.dispose();
  }
}
