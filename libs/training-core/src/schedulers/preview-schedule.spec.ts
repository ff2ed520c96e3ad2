import { describe, expect, it } from 'vitest';
import { previewSchedule } from './preview-schedule';

describe('previewSchedule', () => {
  it('gives one number a step for one base LR and one list a step for several', () => {
    expect(previewSchedule({ step: { stepSize: 2, gamma: 0.5 } }, 0.4, 5)).toEqual([0.4, 0.4, 0.2, 0.2, 0.1]);
    expect(previewSchedule({ step: { stepSize: 2, gamma: 0.5 } }, [0.4, 0.8], 3)).toEqual([
      [0.4, 0.8],
      [0.4, 0.8],
      [0.2, 0.4],
    ]);
    expect(previewSchedule({ exponential: { gamma: 0.5 } }, 0.1, 0)).toEqual([]);
  });

  it('feeds reduceOnPlateau one metric after each step', () => {
    const spec = { reduceOnPlateau: { patience: 0, factor: 0.5 } };
    expect(previewSchedule(spec, 1, 4, [3, 3, 2])).toEqual([1, 1, 0.5, 0.5]);
    expect(previewSchedule(spec, 1, 4, [3, 3, 2, 2])).toEqual([1, 1, 0.5, 0.5]);
  });

  it('names the metrics when they do not fit', () => {
    const spec = { reduceOnPlateau: {} };
    expect(() => previewSchedule(spec, 1, 4, [1, 2])).toThrow(
      'metrics: reduceOnPlateau needs one metric after each step: 4 values (or 3), got 2',
    );
    expect(() => previewSchedule(spec, 1, 4)).toThrow(/got 0/);
    expect(() => previewSchedule(spec, 1, 2, [1, NaN])).toThrow('metrics[1]: must be a number, got NaN');
    expect(() => previewSchedule({ step: { stepSize: 1 } }, 1, 2, [1, 2])).toThrow(
      /metrics: only reduceOnPlateau reads a metric/,
    );
  });

  it('names bad step counts', () => {
    expect(() => previewSchedule({ step: { stepSize: 1 } }, 1, -1)).toThrow(
      'steps: must be an integer >= 0, got -1',
    );
    expect(() => previewSchedule({ step: { stepSize: 1 } }, 1, 1.5)).toThrow(/steps/);
  });
});
