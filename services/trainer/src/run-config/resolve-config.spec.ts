import { InvalidArgumentError } from '@athanor/service-kit';
import { describe, expect, it } from 'vitest';
import { tinyConfig } from '../testing/tiny-config';
import { resolveTrainConfig } from './resolve-config';

function violations(overrides: Record<string, unknown>): string[] {
  try {
    resolveTrainConfig(tinyConfig(overrides));
  } catch (error) {
    if (error instanceof InvalidArgumentError) return error.violations.map((v) => v.field);
    throw error;
  }
  return [];
}

describe('resolveTrainConfig', () => {
  it('fills the documented defaults', () => {
    const c = resolveTrainConfig(tinyConfig());
    expect(c.stepUnit).toBe('iteration');
    expect(c.schedulerMonitor).toBe('val_loss');
    expect(c.gradientStats).toEqual({ everyNSteps: 100, vanishing: 1e-7, exploding: 1e3 });
    expect(c.checkpoint).toMatchObject({ keepLast: 3, saveFinal: true, saveBest: false, everyNSteps: 0 });
    expect(c.validation).toMatchObject({ disabled: false, everyNEpochs: 1, everyNSteps: 0 });
    expect(c.optimizer).toMatchObject({ kind: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 0 });
    expect(resolveTrainConfig(tinyConfig({ optimizer: { adamw: {} } })).optimizer).toMatchObject({
      lr: 1e-3,
      weightDecay: 1e-2,
    });
  });

  it('chooses and reports a seed when none is given', () => {
    const c = resolveTrainConfig(tinyConfig({ seed: undefined }));
    expect(Number.isSafeInteger(c.seed)).toBe(true);
  });

  it('names every bad field with its path', () => {
    expect(
      violations({
        batchSize: 0,
        optimizer: { sgd: { momentum: 1, nesterov: true, dampening: 0.5 } },
        labelSmoothing: 1,
        scheduler: { cosineAnnealing: { tMax: 0 } },
        earlyStopping: { monitor: 'accuracy' },
        gradientClipping: { globalNorm: { maxNorm: 0 } },
        warmup: { steps: 5, startFactor: 2 },
      }),
    ).toEqual(
      expect.arrayContaining([
        'config.batch_size',
        'config.optimizer.lr',
        'config.optimizer.sgd.momentum',
        'config.optimizer.sgd.nesterov',
        'config.label_smoothing',
        'config.scheduler.cosineAnnealing.tMax',
        'config.early_stopping.monitor',
        'config.gradient_clipping.global_norm.max_norm',
        'config.warmup.start_factor',
      ]),
    );
    expect(violations({ model: undefined, dataset: undefined, epochs: undefined })).toEqual([
      'config.model',
      'config.dataset',
      'config.duration',
    ]);
    expect(
      violations({
        optimizer: { sgd: {}, lr: 0.1, parameterGroups: [{ name: 'default', layerPatterns: [] }] },
      }),
    ).toEqual([
      'config.optimizer.parameter_groups[0].name',
      'config.optimizer.parameter_groups[0].layer_patterns',
    ]);
    expect(violations({ validation: { disabled: true }, earlyStopping: {} })).toEqual([
      'config.validation.disabled',
    ]);
  });
});
