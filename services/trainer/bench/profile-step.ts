#!/usr/bin/env node
// Where a training step's time goes: bench:train's step (tf.train.momentum minimize) against the
// trainer's session.step on the same model and batch, interleaved so machine load hits both alike.
//   node services/trainer/bench/dist/bench/profile-step.js [ROUNDS]
import { resolve } from 'node:path';
import { initCompute } from '@athanor/compute';
import * as tf from '@tensorflow/tfjs';
import { prepareSession } from '../src/loop/prepare-session';
import { resolveTrainConfig } from '../src/run-config/resolve-config';
import { fashionConfig } from './fashion-config';

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 5);
  const REPS = 30;
  tf.env().set('PROD', true);
  await initCompute();
  const config = resolveTrainConfig(fashionConfig(1, 1000));
  const session = await prepareSession(config, {
    dataRoot: resolve('.athanor/data'),
    cacheDir: resolve('.athanor/cache/datasets'),
  });
  const model = session.model;
  const batch = session.data.trainBatch(0, 0, 64);
  const x = tf.tensor(batch.x, [64, 28, 28, 1]);
  const y = tf.oneHot(tf.tensor1d(batch.y, 'int32'), 10);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const momentum = tf.train.momentum(0.01, 0.9);
  const cases: Record<string, () => Promise<void> | void> = {
    'bench:train step': () =>
      void momentum.minimize(
        () =>
          tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(
            y,
            model.apply(x, { training: true }) as tf.Tensor,
          ),
        false,
        variables,
      ),
    'variableGrads only': () => {
      const { value, grads } = tf.variableGrads(
        () =>
          tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(
            y,
            model.apply(x, { training: true }) as tf.Tensor,
          ),
        variables,
      );
      value.dataSync();
      tf.dispose([value, ...Object.values(grads)]);
    },
    'session.step': async () => {
      await session.step(batch, false);
    },
    'trainBatch (host)': () => void session.data.trainBatch(0, 1, 64),
  };
  const totals: Record<string, number> = {};
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(cases)) {
      for (let i = 0; i < 2; i++) await fn();
      const t0 = performance.now();
      for (let i = 0; i < REPS; i++) await fn();
      variables[0].dataSync();
      totals[name] = (totals[name] ?? 0) + (performance.now() - t0) / REPS;
    }
  }
  for (const [name, ms] of Object.entries(totals))
    process.stdout.write(`${name.padEnd(20)} ${(ms / rounds).toFixed(2)} ms/step\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
