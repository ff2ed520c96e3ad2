import { trainer } from '@athanor/contracts';
import { describe, expect, it } from 'vitest';
import { ConfigFileError, formatEvent, loadTrainConfig, newProgressState } from './train';

const files: Record<string, string> = {
  'a.json': JSON.stringify({
    name: 'json run',
    batchSize: 64,
    epochs: 3,
    optimizer: { sgd: { momentum: 0.9 }, lr: 0.05 },
  }),
  'a.yaml':
    'name: yaml run\nbatchSize: 32\nmaxSteps: 100\nscheduler:\n  oneCycle:\n    maxLr: 0.05\n    totalSteps: 100\n',
  'bad.json': '{ nope',
  'list.yaml': '- 1\n- 2\n',
};
const read = (p: string): string => {
  if (!(p in files)) throw new Error('ENOENT');
  return files[p];
};

describe('athanor train: config files', () => {
  it('reads proto3 JSON and YAML', () => {
    const json = loadTrainConfig('a.json', read);
    expect(json.name).toBe('json run');
    expect(json.duration).toEqual({ $case: 'epochs', value: 3 });
    expect(json.optimizer?.algorithm).toEqual({ $case: 'sgd', value: { momentum: 0.9 } });
    const yaml = loadTrainConfig('a.yaml', read);
    expect(yaml.batchSize).toBe(32);
    expect(yaml.scheduler?.kind?.$case).toBe('oneCycle');
  });

  it('names the file and the problem', () => {
    expect(() => loadTrainConfig('missing.json', read)).toThrow(ConfigFileError);
    expect(() => loadTrainConfig('missing.json', read)).toThrow(/--config: cannot read missing.json/);
    expect(() => loadTrainConfig('bad.json', read)).toThrow(/bad.json is not valid JSON/);
    expect(() => loadTrainConfig('list.yaml', read)).toThrow(/must hold one TrainConfig object/);
  });
});

const started = trainer.RunEvent.fromPartial({
  sequence: 1,
  event: {
    $case: 'started',
    value: {
      backend: 'wasm',
      device: '2 CPU cores',
      totalSteps: 300,
      stepsPerEpoch: 100,
      trainExamples: 6400,
      validationExamples: 1000,
      seed: 3,
    },
  },
});
const step = (n: number): trainer.RunEvent =>
  trainer.RunEvent.fromPartial({
    event: {
      $case: 'step',
      value: {
        step: n,
        epoch: Math.floor((n - 1) / 100),
        loss: 0.5,
        learningRates: [{ group: 'default', lr: 0.01 }],
        samplesPerSecond: 640,
      },
    },
  });

describe('athanor train: progress', () => {
  it('draws one progress line on a terminal: epoch, step, loss, lr, samples/s, ETA', () => {
    const state = newProgressState();
    expect(formatEvent(started, state, true)).toMatch(
      /^started on wasm .*300 steps \(100 per epoch\), seed 3$/,
    );
    const line = formatEvent(step(150), state, true)!;
    expect(line.startsWith('\r')).toBe(true);
    expect(line).toContain(
      'epoch 2/3 [##########..........] step 150/300 loss 0.5000 lr 1.00e-2 640 samples/s ETA 15s',
    );
  });

  it('prints plain lines every tenth of an epoch when not a terminal', () => {
    const state = newProgressState();
    formatEvent(started, state, false);
    const shown = [1, 5, 10, 11, 20].map((n) => formatEvent(step(n), state, false));
    expect(shown.map((s) => s !== undefined)).toEqual([false, false, true, false, true]);
    expect(shown[2]).not.toContain('\r');
  });

  it('shows validations, warnings and the outcome', () => {
    const state = newProgressState();
    const v = formatEvent(
      trainer.RunEvent.fromPartial({
        event: {
          $case: 'validation',
          value: { result: { step: 100, loss: 0.3, top1: 0.9, top5: 0.99 }, improved: true },
        },
      }),
      state,
      false,
    );
    expect(v).toBe('validation at step 100: loss 0.3000, top-1 90.00%, top-5 99.00% (best so far)');
    const failed = formatEvent(
      trainer.RunEvent.fromPartial({
        event: { $case: 'failed', value: { step: 12, reason: 'loss is NaN at step 12' } },
      }),
      state,
      false,
    );
    expect(failed).toBe('failed at step 12: loss is NaN at step 12');
    const warn = formatEvent(
      trainer.RunEvent.fromPartial({
        event: {
          $case: 'gradientReport',
          value: {
            step: 5,
            vanishing: true,
            layers: [{ layer: 'dense0', gradientNorm: 1e-9, vanishing: true }],
          },
        },
      }),
      state,
      false,
    );
    expect(warn).toBe('warning at step 5: vanishing gradients (dense0 1.00e-9)');
  });
});
