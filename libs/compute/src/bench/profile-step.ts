#!/usr/bin/env node
// Profiles training steps of one reference model on one backend: time per kernel, largest first.
// node dist/bench/profile-step.js reference-cnn [wasm|cpu] [steps]; medians over the steps.
import * as tf from '@tensorflow/tfjs';
import { initCompute } from '../backend/compute';
import { referenceModel } from './reference-models';
import { randomBatches, sgdTrainer } from './train-step';

async function main(): Promise<void> {
  const [name = 'reference-cnn', backend = 'wasm', stepsArg = '5'] = process.argv.slice(2);
  await initCompute({ ...process.env, ATHANOR_BACKEND: backend });
  tf.env().set('PROD', true);
  const spec = referenceModel(name);
  const model = spec.build();
  const trainer = sgdTrainer(model);
  const batches = randomBatches(2, spec.batchSize, spec.inputShape);
  for (let i = 0; i < 3; i++) trainer.step(...batches[i % 2]);
  const steps = Number(stepsArg);
  // Per step, per kernel and input shapes: the median over steps, robust to other processes' load.
  const samples = new Map<string, number[][]>();
  const walls: number[] = [];
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    const profile = await tf.profile(() => trainer.step(...batches[i % 2]));
    walls.push(performance.now() - start);
    const perStep = new Map<string, number[]>();
    for (const k of profile.kernels) {
      const key = `${k.name} ${k.inputShapes.map((s) => JSON.stringify(s)).join(' ')}`;
      const list = perStep.get(key) ?? [];
      list.push(k.kernelTimeMs as number);
      perStep.set(key, list);
    }
    for (const [key, list] of perStep) samples.set(key, [...(samples.get(key) ?? []), list]);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const rows = [...samples.entries()].map(([key, perStep]) => {
    const totals = perStep.map((l) => l.reduce((a, b) => a + b, 0));
    return { key, ms: median(totals), calls: perStep[0]?.length ?? 0 };
  });
  rows.sort((a, b) => b.ms - a.ms);
  const total = rows.reduce((sum, r) => sum + r.ms, 0);
  process.stdout.write(
    `${name} on ${backend}: median step ${median(walls).toFixed(1)} ms while profiled, kernels ${total.toFixed(1)} ms\n`,
  );
  for (const r of rows.slice(0, Number(process.env['PROFILE_ROWS'] ?? 30))) {
    process.stdout.write(`${r.ms.toFixed(2).padStart(8)} ms ${String(r.calls).padStart(4)}x  ${r.key}\n`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
