#!/usr/bin/env node
// `npm run bench:fashion [-- --torch] [--epochs N] [--steps N]`: trains the reference CNN on
// fashion-mnist through the trainer's loop (batch 64, SGD momentum 0.9, OneCycle max lr 0.05) and
// prints the validation accuracy and wall time; with --torch, PyTorch trains the same model on the
// same data with the same schedule in the same run (torch_fashion.py). --steps N instead measures
// the loop's throughput over N steps (compare with `npm run bench:train -- --model reference-cnn`).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { initCompute } from '@athanor/compute';
import * as tf from '@tensorflow/tfjs';
import { CheckpointStore } from '../src/checkpoint/checkpoint-store';
import type { DatasetsSource } from '../src/data/open-data';
import { prepareSession } from '../src/loop/prepare-session';
import { runTrainingLoop } from '../src/loop/training-loop';
import { resolveTrainConfig } from '../src/run-config/resolve-config';
import { fashionConfig } from './fashion-config';

interface Args {
  torch: boolean;
  epochs: number;
  steps: number;
  compare: number;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { torch: false, epochs: 3, steps: 0, compare: 0 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--torch') args.torch = true;
    else if (argv[i] === '--epochs') args.epochs = Number(argv[++i]);
    else if (argv[i] === '--steps') args.steps = Number(argv[++i]);
    else if (argv[i] === '--compare') args.compare = Number(argv[++i]);
    else
      throw new Error(
        `unknown argument ${argv[i]}; usage: bench:fashion [--torch] [--epochs N] [--steps N] [--compare STEPS]`,
      );
  }
  return args;
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  tf.env().set('PROD', true);
  const compute = await initCompute();
  const backend = `${compute.backend}${compute.threads ? `-${compute.threads}t` : ''}`;
  const scratch = mkdtempSync(join(tmpdir(), 'athanor-fashion-'));
  if (args.compare > 0) {
    await compareWithBenchStep(args.compare, scratch);
    rmSync(scratch, { recursive: true, force: true });
    return;
  }
  try {
    const config = resolveTrainConfig(fashionConfig(args.epochs, args.steps));
    const loadStart = performance.now();
    const session = await prepareSession(config, {
      dataRoot: resolve('.athanor/data'),
      cacheDir: resolve('.athanor/cache/datasets'),
    });
    log(`data ready in ${((performance.now() - loadStart) / 1000).toFixed(1)} s; training on ${backend}`);
    const started = performance.now();
    let firstTimed = 0;
    let timedFrom = 0;
    const outcome = await runTrainingLoop(
      {
        runId: 'bench',
        config,
        session,
        checkpoints: new CheckpointStore(scratch),
        backend,
        device: 'bench',
      },
      {
        emit(e) {
          if (e.$case === 'step' && e.value.step === 5) {
            firstTimed = performance.now();
            timedFrom = 5;
          }
          if (e.$case === 'step' && e.value.step % 200 === 0)
            log(
              `step ${e.value.step} loss ${e.value.loss.toFixed(4)} lr ${e.value.learningRates[0].lr.toExponential(2)} ${e.value.samplesPerSecond.toFixed(0)} samples/s`,
            );
          if (e.$case === 'epochSummary')
            log(
              `epoch ${e.value.epoch} train loss ${e.value.trainLoss.toFixed(4)} top1 ${e.value.trainTop1.toFixed(4)} ${e.value.samplesPerSecond.toFixed(0)} samples/s`,
            );
          if (e.$case === 'validation')
            log(
              `  validation loss ${e.value.result!.loss.toFixed(4)} top1 ${(e.value.result!.top1 * 100).toFixed(2)}%`,
            );
        },
        stopRequested: () => undefined,
        yield: () => Promise.resolve(),
      },
    );
    const seconds = (performance.now() - started) / 1000;
    if (outcome.state !== 'completed')
      throw new Error(`training ${outcome.state}: ${JSON.stringify(outcome)}`);
    const ours = {
      framework: 'athanor',
      backend,
      val_top1: outcome.finished.finalValidation?.top1,
      seconds,
      ...(args.steps > 0
        ? { samples_per_second: ((args.steps - timedFrom) * 64) / ((performance.now() - firstTimed) / 1000) }
        : {}),
    };
    process.stdout.write(`${JSON.stringify(ours)}\n`);
    let torch: { val_top1: number; seconds: number } | undefined;
    if (args.torch) {
      writeData(session.data as DatasetsSource, scratch);
      torch = await runTorch(scratch, args.epochs);
      process.stdout.write(`${JSON.stringify(torch)}\n`);
    }
    session.dispose();
    session.model.dispose();
    if (args.steps === 0) {
      const row = (name: string, acc: number | undefined, s: number): string =>
        `${name.padEnd(22)} ${acc === undefined ? '-' : `${(acc * 100).toFixed(2)}%`.padStart(8)} ${s.toFixed(1).padStart(8)} s`;
      process.stdout.write(
        `\n${'fashion-mnist, 3 epochs'.padEnd(22)} ${'val top1'.padStart(8)} ${'time'.padStart(10)}\n`,
      );
      process.stdout.write(`${row(`athanor (${backend})`, ours.val_top1, seconds)}\n`);
      if (torch) process.stdout.write(`${row('pytorch 1.13 (cpu)', torch.val_top1, torch.seconds)}\n`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * The loop's overhead under the same machine load: bench:train's step (tf.train.momentum minimize on
 * one fixed batch, libs/compute's train-step.ts) runs on a second copy of the model between every two
 * steps of the trainer's loop (real batches, scheduler, events, checks), so load changes hit both
 * alike; each side's time is summed separately.
 */
async function compareWithBenchStep(steps: number, scratch: string): Promise<void> {
  const config = resolveTrainConfig(fashionConfig(1, steps + 5));
  const options = { dataRoot: resolve('.athanor/data'), cacheDir: resolve('.athanor/cache/datasets') };
  const other = await prepareSession(config, options);
  const model = other.model;
  const optimizer = tf.train.momentum(0.01, 0.9);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const x = tf.randomNormal([64, 28, 28, 1]);
  const y = tf.oneHot(tf.randomUniform([64], 0, 10, 'int32'), 10);
  const benchStep = (): void =>
    void optimizer.minimize(
      () =>
        tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(
          y,
          model.apply(x, { training: true }) as tf.Tensor,
        ),
      false,
      variables,
    );
  for (let i = 0; i < 5; i++) benchStep();
  const session = await prepareSession(config, options);
  let benchMs = 0;
  let benchSteps = 0;
  let timing = false;
  let loopStart = 0;
  await runTrainingLoop(
    {
      runId: 'compare',
      config,
      session,
      checkpoints: new CheckpointStore(scratch),
      backend: 'bench',
      device: 'bench',
    },
    {
      emit: (e) => {
        if (e.$case === 'step' && e.value.step === 5) {
          timing = true;
          loopStart = performance.now();
        }
      },
      stopRequested: () => undefined,
      yield: () => {
        if (timing) {
          const t0 = performance.now();
          benchStep();
          benchMs += performance.now() - t0;
          benchSteps += 1;
        }
        return new Promise<void>((done) => setImmediate(done));
      },
    },
  );
  const loopMs = performance.now() - loopStart - benchMs;
  const loopRate = (steps * 64) / (loopMs / 1000);
  const benchRate = (benchSteps * 64) / (benchMs / 1000);
  process.stdout.write(
    `${JSON.stringify({ bench_train_step: benchRate, trainer_loop: loopRate, ratio: loopRate / benchRate })}\n`,
  );
  tf.dispose([x, y]);
  optimizer.dispose();
  for (const s of [session, other]) {
    s.dispose();
    s.model.dispose();
  }
}

/** The exact examples the loop trained on, as bytes, for torch_fashion.py. */
function writeData(data: DatasetsSource, dir: string): void {
  const { train, validation } = data.dataset;
  const bytes = (f: Float32Array | Uint8Array): Uint8Array =>
    f instanceof Uint8Array ? f : Uint8Array.from(f);
  writeFileSync(join(dir, 'x_train.u8'), bytes(train.features));
  writeFileSync(join(dir, 'y_train.u8'), Uint8Array.from(train.labels));
  writeFileSync(join(dir, 'x_val.u8'), bytes(validation.features));
  writeFileSync(join(dir, 'y_val.u8'), Uint8Array.from(validation.labels));
}

function runTorch(dir: string, epochs: number): Promise<{ val_top1: number; seconds: number }> {
  const env = { ...process.env };
  delete env['OPENBLAS_CORETYPE'];
  delete env['OPENBLAS_L2_SIZE'];
  const script = join(__dirname, '..', '..', 'torch_fashion.py');
  log('running PyTorch 1.13 on the same data ...');
  return new Promise((resolvePromise, reject) => {
    const child = spawn('/usr/bin/python3', [script, dir, '--epochs', String(epochs)], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      for (const line of chunk.split('\n')) if (line.includes('"progress"')) log(`  pytorch ${line.trim()}`);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out
        .trim()
        .split('\n')
        .filter((l) => l.includes('"framework"'))
        .pop();
      if (code !== 0 || last === undefined) reject(new Error(`torch_fashion.py exited with ${code}`));
      else resolvePromise(JSON.parse(last) as { val_top1: number; seconds: number });
    });
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
