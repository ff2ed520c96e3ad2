import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initCompute } from '@athanor/compute';
import type { training } from '@athanor/contracts';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpointFile } from '../checkpoint/checkpoint-file';
import { CheckpointStore } from '../checkpoint/checkpoint-store';
import { resolveTrainConfig } from '../run-config/resolve-config';
import { TINY_CNN, tinyConfig } from '../testing/tiny-config';
import { prepareSession } from './prepare-session';
import { type LoopOutcome, type RunEventBody, runTrainingLoop } from './training-loop';

let dir: string;
let store: CheckpointStore;

beforeAll(async () => {
  await initCompute();
  dir = mkdtempSync(join(tmpdir(), 'athanor-loop-'));
  store = new CheckpointStore(join(dir, 'checkpoints'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Result {
  outcome: LoopOutcome;
  events: RunEventBody[];
  weights: Float32Array[];
}

async function train(
  wire: training.TrainConfig,
  options: { runId?: string; resumeUri?: string; stopAtStep?: number } = {},
): Promise<Result> {
  const config = resolveTrainConfig(wire);
  const session = await prepareSession(config, { dataRoot: dir, cacheDir: join(dir, 'cache') });
  const events: RunEventBody[] = [];
  let step = 0;
  try {
    const outcome = await runTrainingLoop(
      {
        runId: options.runId ?? 'run-test',
        config,
        session,
        checkpoints: store,
        ...(options.resumeUri ? { resume: store.load(options.resumeUri) } : {}),
        backend: tf.getBackend(),
        device: 'test',
      },
      {
        emit: (e) => {
          events.push(e);
          if (e.$case === 'step') step = e.value.step;
        },
        stopRequested: () =>
          options.stopAtStep !== undefined && step >= options.stopAtStep ? 'test stop' : undefined,
      },
    );
    const weights = session
      .weights()
      .map((w) => w.dataSync() as Float32Array)
      .map((a) => Float32Array.from(a));
    return { outcome, events, weights };
  } finally {
    session.dispose();
    session.model.dispose();
  }
}

const losses = (events: RunEventBody[]): number[] =>
  events.flatMap((e) => (e.$case === 'step' ? [e.value.loss] : []));
type Values = { [K in RunEventBody['$case']]: Extract<RunEventBody, { $case: K }>['value'] };
const ofCase = <C extends keyof Values>(events: RunEventBody[], c: C): Values[C][] =>
  events.filter((e) => e.$case === c).map((e) => e.value as Values[C]);

describe('training loop', () => {
  it('learns the synthetic task, in PyTorch order, reporting every step, epoch and validation', async () => {
    const { outcome, events } = await train(tinyConfig({ epochs: 3 }));
    expect(outcome.state).toBe('completed');
    const steps = ofCase(events, 'step');
    expect(steps).toHaveLength(24); // 256 / 32 = 8 steps x 3 epochs
    expect(steps[0].step).toBe(1);
    expect(events[0].$case).toBe('started');
    const vals = ofCase(events, 'validation');
    expect(vals).toHaveLength(3);
    expect(vals[2].result!.top1).toBeGreaterThan(0.6);
    expect(vals[2].result!.loss).toBeLessThan(vals[0].result!.loss);
    // The mean cross-entropy per example: near the training loss, and ln(4) for a uniform guess.
    const epochs = ofCase(events, 'epochSummary');
    expect(vals[0].result!.loss).toBeGreaterThan(epochs[0].trainLoss / 3);
    expect(vals[0].result!.loss).toBeLessThan(Math.log(4) * 1.5);
    const finished = (outcome as Extract<LoopOutcome, { state: 'completed' }>).finished;
    expect(finished.reason).toBe(1);
    expect(finished.finalCheckpoint?.step).toBe(24);
  });

  it('drops the last partial batch when asked, validates every N steps, and reports top-5 above 5 classes', async () => {
    const dataset = {
      synthetic: {
        exampleShape: [4, 4, 1],
        numClasses: 8,
        trainExamples: 100,
        validationExamples: 40,
        seed: 1,
      },
    };
    const keep = await train(tinyConfig({ dataset, epochs: 1 }));
    expect(ofCase(keep.events, 'started')[0].stepsPerEpoch).toBe(4);
    expect(ofCase(keep.events, 'epochSummary')[0].examples).toBe(100);
    const drop = await train(
      tinyConfig({ dataset: { ...dataset, dropLast: true }, epochs: 2, validation: { everyNSteps: 2 } }),
    );
    expect(ofCase(drop.events, 'started')[0].stepsPerEpoch).toBe(3);
    expect(ofCase(drop.events, 'epochSummary')[0].examples).toBe(96);
    const vals = ofCase(drop.events, 'validation').map((v) => v.result!);
    expect(vals.map((v) => v.step)).toEqual([2, 4, 6]);
    expect(vals[0].top5).toBeGreaterThanOrEqual(vals[0].top1);
    expect(vals[0].examples).toBe(40);
  });

  it('gives the same loss curve for the same config and seed, another for another seed', async () => {
    const wire = tinyConfig({
      model: TINY_CNN,
      dataset: {
        synthetic: {
          exampleShape: [8, 8, 1],
          numClasses: 4,
          trainExamples: 128,
          validationExamples: 32,
          seed: 2,
        },
      },
    });
    const a = await train(wire);
    const b = await train(wire);
    const c = await train({ ...wire, seed: 8 });
    expect(losses(a.events)).toEqual(losses(b.events));
    expect(losses(c.events)).not.toEqual(losses(a.events));
  });

  it('steps the scheduler after the optimizer: the first step uses the initial lr', async () => {
    const { events } = await train(
      tinyConfig({ scheduler: { step: { stepSize: 1, gamma: 0.5 } }, maxSteps: 3, epochs: undefined }),
    );
    const lrs = ofCase(events, 'step').map((s) => s.learningRates[0].lr);
    expect(lrs).toEqual([0.05, 0.025, 0.0125]);
  });

  it('ramps the lr up during warm-up, then follows the scheduler', async () => {
    const { events } = await train(
      tinyConfig({ warmup: { steps: 4, startFactor: 0.25 }, maxSteps: 6, epochs: undefined }),
    );
    const lrs = ofCase(events, 'step').map((s) => s.learningRates[0].lr);
    expect(lrs.map((x) => Number(x.toFixed(6)))).toEqual([0.0125, 0.021875, 0.03125, 0.040625, 0.05, 0.05]);
  });

  it('steps a per-epoch scheduler once per epoch', async () => {
    const { events } = await train(
      tinyConfig({
        scheduler: { exponential: { gamma: 0.5 } },
        schedulerStepUnit: 'SCHEDULER_STEP_UNIT_EPOCH',
        epochs: 2,
      }),
    );
    const lrs = ofCase(events, 'step').map((s) => s.learningRates[0].lr);
    expect(new Set(lrs.slice(0, 8))).toEqual(new Set([0.05]));
    expect(new Set(lrs.slice(8))).toEqual(new Set([0.025]));
  });

  it('feeds ReduceLROnPlateau the validation loss', async () => {
    // A tiny lr barely moves the loss: with threshold 0.5 and patience 0 each later validation reduces the lr.
    const { events } = await train(
      tinyConfig({
        optimizer: {
          sgd: {},
          lr: 0.01,
          parameterGroups: [{ name: 'frozen', layerPatterns: ['*'], frozen: false, lr: 1e-6 }],
        },
        scheduler: { reduceOnPlateau: { patience: 0, factor: 0.5, threshold: 0.5 } },
        epochs: 3,
      }),
    );
    const lrs = ofCase(events, 'epochSummary').map((s) => s.learningRates[0].lr);
    expect(lrs[2]).toBeLessThan(lrs[0]);
  });

  it('fails a diverging run with a clear reason and never applies a NaN update', async () => {
    const { outcome, events } = await train(tinyConfig({ optimizer: { sgd: {}, lr: 1e30 }, epochs: 5 }));
    expect(outcome.state).toBe('failed');
    const failed = (outcome as Extract<LoopOutcome, { state: 'failed' }>).failed;
    expect(failed.kind).toBe(1);
    expect(failed.reason).toMatch(/(loss|gradient norm) is (NaN|Infinity).* at step \d+/);
    expect(ofCase(events, 'step').every((s) => Number.isFinite(s.loss))).toBe(true);
  });

  it('stops early when the monitored metric stops improving', async () => {
    const { outcome } = await train(
      tinyConfig({
        optimizer: { sgd: {}, lr: 1e-9 },
        earlyStopping: { monitor: 'val_loss', patience: 1, minDelta: 1 },
        epochs: 10,
      }),
    );
    expect(outcome.state).toBe('completed');
    const finished = (outcome as Extract<LoopOutcome, { state: 'completed' }>).finished;
    expect(finished.reason).toBe(3);
    expect(finished.epoch).toBe(2);
  });

  it('restores the best weights when asked and keeps the best checkpoint apart from keep_last', async () => {
    const { outcome, events } = await train(
      tinyConfig({
        optimizer: { sgd: {}, lr: 3 },
        earlyStopping: { monitor: 'val_loss', patience: 3, restoreBestWeights: true },
        checkpoint: { everyNSteps: 2, keepLast: 1, saveBest: true },
        epochs: 4,
      }),
      { runId: 'run-best' },
    );
    const finished = (outcome as Extract<LoopOutcome, { state: 'completed' }>).finished;
    expect(finished.finalValidation).toEqual(finished.bestValidation);
    const best = ofCase(events, 'checkpoint').filter((c) => c.best);
    expect(best.length).toBeGreaterThan(0);
    expect(best.at(-1)!.checkpoint!.uri).toMatch(/best\.ckpt$/);
    const files = readdirSync(join(dir, 'checkpoints', 'run-best')).sort();
    expect(files).toEqual(['best.ckpt', `step-${String(finished.step).padStart(9, '0')}.ckpt`]);
  });

  it('reports per-layer gradient statistics and flags vanishing gradients', async () => {
    const { events } = await train(
      tinyConfig({
        gradientStats: { everyNSteps: 4, vanishingThreshold: 1e9, explodingThreshold: 1e10 },
        maxSteps: 8,
        epochs: undefined,
      }),
    );
    const reports = ofCase(events, 'gradientReport');
    expect(reports.map((r) => r.step)).toEqual([4, 8]);
    expect(reports[0].layers.map((l) => l.layer)).toEqual(['dense0', 'logits']);
    expect(reports[0].vanishing).toBe(true);
    expect(reports[0].layers[0].weightNorm).toBeGreaterThan(0);
  });

  it('clips the global gradient norm', async () => {
    const { events } = await train(
      tinyConfig({ gradientClipping: { globalNorm: { maxNorm: 1e-3 } }, maxSteps: 3, epochs: undefined }),
    );
    const steps = ofCase(events, 'step');
    expect(steps.every((s) => s.clipped && (s.gradientNorm ?? 0) > 1e-3)).toBe(true);
  });

  it('trains parameter groups with their own lr and freezes frozen layers', async () => {
    const { events, weights } = await train(
      tinyConfig({
        optimizer: {
          sgd: { momentum: 0.9, weightDecay: 5e-4 },
          lr: 0.05,
          parameterGroups: [
            { name: 'head', layerPatterns: ['logits'], lrMultiplier: 10 },
            { name: 'body', layerPatterns: ['dense*'], frozen: true },
          ],
        },
        maxSteps: 2,
        epochs: undefined,
      }),
    );
    const started = ofCase(events, 'started')[0];
    expect(started.parameterGroups).toEqual(['head']);
    expect(ofCase(events, 'step')[0].learningRates).toEqual([{ group: 'head', lr: 0.5 }]);
    const init = await train(
      tinyConfig({ maxSteps: 1, epochs: undefined, optimizer: { sgd: {}, lr: 1e-30 } }),
    );
    expect(weights[0]).toEqual(init.weights[0]); // frozen dense0 kernel unchanged (same seed)
  });

  it('leaks no tensors per step', async () => {
    await train(tinyConfig({ maxSteps: 2, epochs: undefined }));
    const before = tf.memory().numTensors;
    await train(
      tinyConfig({
        model: TINY_CNN,
        dataset: {
          synthetic: {
            exampleShape: [8, 8, 1],
            numClasses: 4,
            trainExamples: 64,
            validationExamples: 16,
            seed: 3,
          },
        },
        epochs: 2,
        gradientStats: { everyNSteps: 1 },
        labelSmoothing: 0.1,
        gradientClipping: { globalNorm: { maxNorm: 0.5 } },
      }),
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('resumes from a checkpoint to the same final weights as an uninterrupted run', async () => {
    const wire = tinyConfig({
      model: TINY_CNN,
      dataset: {
        synthetic: {
          exampleShape: [8, 8, 1],
          numClasses: 4,
          trainExamples: 96,
          validationExamples: 32,
          seed: 4,
        },
      },
      optimizer: { adamw: {}, lr: 0.01 },
      scheduler: { oneCycle: { maxLr: 0.02, totalSteps: 9 } },
      epochs: 3,
      checkpoint: { everyNSteps: 2 },
    });
    const full = await train(wire, { runId: 'run-full' });
    const interrupted = await train(wire, { runId: 'run-cut', stopAtStep: 4 });
    expect(interrupted.outcome.state).toBe('cancelled');
    const kept = (interrupted.outcome as Extract<LoopOutcome, { state: 'cancelled' }>).cancelled
      .lastCheckpoint!;
    expect(kept.step).toBe(4);
    const resumed = await train(wire, { runId: 'run-resumed', resumeUri: kept.uri });
    expect(resumed.outcome.state).toBe('completed');
    expect(losses(resumed.events)).toEqual(losses(full.events).slice(4));
    expect(resumed.weights).toEqual(full.weights);
  });

  describe.each(Object.entries(DROPOUT_MODELS))('with dropout (%s)', (_name, { model, sites }) => {
    const wire = tinyConfig({
      model,
      dataset: {
        synthetic: {
          exampleShape: [4, 4],
          numClasses: 4,
          trainExamples: 96,
          validationExamples: 32,
          seed: 5,
        },
      },
      optimizer: { adamw: {}, lr: 0.01 },
      epochs: 3,
      checkpoint: { everyNSteps: 2 },
    });

    it('gives the same loss curve for the same seed, another for another seed', async () => {
      const a = await train(wire);
      const b = await train(wire);
      const c = await train({ ...wire, seed: 8 });
      expect(losses(a.events)).toHaveLength(9);
      expect(losses(b.events)).toEqual(losses(a.events));
      expect(b.weights).toEqual(a.weights);
      expect(losses(c.events)).not.toEqual(losses(a.events));
    });

    it('resumes from a mid-run checkpoint to the same final weights as an uninterrupted run', async () => {
      const full = await train(wire, { runId: `run-drop-full-${_name}` });
      const interrupted = await train(wire, { runId: `run-drop-cut-${_name}`, stopAtStep: 4 });
      const kept = (interrupted.outcome as Extract<LoopOutcome, { state: 'cancelled' }>).cancelled
        .lastCheckpoint!;
      expect(kept.step).toBe(4);
      // The checkpoint carries how many masks each dropout site has drawn.
      const header = readCheckpointFile(fileURLToPath(kept.uri)).header as {
        rng: { dropoutCalls: number[] };
      };
      expect(header.rng.dropoutCalls).toHaveLength(sites);
      expect(header.rng.dropoutCalls.every((n) => n >= 4)).toBe(true);
      const resumed = await train(wire, { runId: `run-drop-resumed-${_name}`, resumeUri: kept.uri });
      expect(resumed.outcome.state).toBe('completed');
      expect(losses(resumed.events)).toEqual(losses(full.events).slice(4));
      expect(resumed.weights).toEqual(full.weights);
    });
  });
});

/** One model per kind of dropout site, for [4, 4] inputs, and how many sites each has. */
const DROPOUT_MODELS: Record<string, { model: unknown; sites: number }> = {
  mlp: { model: { spec: { name: 'mlp', mlp: { widths: [32, 16], dropout: 0.3 } } }, sites: 2 },
  transformer: {
    model: {
      spec: {
        name: 'transformer',
        transformer: {
          inputProjection: {},
          numLayers: 1,
          dModel: 8,
          numHeads: 2,
          ffDim: 16,
          dropout: 0.2,
          attentionDropout: 0.3,
        },
      },
    },
    // embed_drop, attention weights, attn_drop, ff_inner_drop, ff_drop
    sites: 5,
  },
  lstm: {
    model: {
      spec: { name: 'lstm', rnn: { cell: 'RNN_CELL_LSTM', units: 8, recurrentDropout: 0.3, dropout: 0.2 } },
    },
    // the cell's recurrent masks, rnn_drop0
    sites: 2,
  },
};
