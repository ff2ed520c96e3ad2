import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors';
import { createScheduler } from './create-scheduler';

function errorOf(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('createScheduler', () => {
  it('validates the base LRs, naming the group', () => {
    expect(errorOf(() => createScheduler({ exponential: { gamma: 0.9 } }, [])).violations[0].field).toBe(
      'baseLrs',
    );
    expect(
      errorOf(() => createScheduler({ exponential: { gamma: 0.9 } }, [0.1, -1, NaN])).violations.map(
        (v) => v.field,
      ),
    ).toEqual(['baseLrs[1]', 'baseLrs[2]']);
  });

  it('reports the LR the constructor sets, then steps in PyTorch order', () => {
    // ConstantLR's constructor already applies the factor (PyTorch's initial step).
    const scheduler = createScheduler({ constant: { factor: 0.5, totalIters: 2 } }, [0.1, 1]);
    expect(scheduler.kind).toBe('constant');
    expect(scheduler.lrs()).toEqual([0.05, 0.5]);
    scheduler.step();
    scheduler.step();
    expect(scheduler.lrs()).toEqual([0.1, 1]);
  });

  it('needs a metric for reduceOnPlateau and ignores one elsewhere', () => {
    const plateau = createScheduler({ reduceOnPlateau: {} }, [0.1]);
    expect(errorOf(() => plateau.step()).violations[0].field).toBe('metric');
    const step = createScheduler({ step: { stepSize: 1 } }, [0.1]);
    step.step(123);
    expect(step.lrs()[0]).toBeCloseTo(0.01, 15);
  });

  it('refuses step(epoch) on composites, whose PyTorch step() takes none', () => {
    const seq = createScheduler(
      { sequential: { schedulers: [{ linear: {} }, { exponential: { gamma: 0.9 } }], milestones: [3] } },
      [0.1],
    );
    expect(errorOf(() => seq.stepTo(2)).message).toMatch(/epoch: sequential steps one at a time/);
    const warm = createScheduler({ cosineAnnealingWarmRestarts: { t0: 2 } }, [0.1]);
    expect(errorOf(() => warm.stepTo(-1)).message).toMatch(/epoch: must be >= 0/);
    expect(errorOf(() => warm.stepTo(Infinity)).message).toMatch(/epoch: must be a finite number/);
  });

  it('refuses to step oneCycle past totalSteps, as PyTorch does, and stays usable', () => {
    const scheduler = createScheduler({ oneCycle: { maxLr: 0.1, totalSteps: 3 } }, [0.5]);
    for (let i = 0; i < 3; i++) scheduler.step();
    const before = scheduler.lrs();
    const error = errorOf(() => scheduler.step());
    expect(error.violations[0]).toEqual({
      field: 'spec.oneCycle.totalSteps',
      description: 'tried to step 5 times; totalSteps is 3 (PyTorch raises here too)',
    });
    expect(scheduler.lrs()).toEqual(before);
    expect(JSON.parse(JSON.stringify(scheduler.state()))).toMatchObject({ scheduler: { lastEpoch: 3 } });
  });

  it('replaces the groups LRs with maxLr / divFactor for oneCycle, and cycles momentum', () => {
    const scheduler = createScheduler({ oneCycle: { maxLr: [0.1, 1], totalSteps: 10 } }, [123, 456]);
    const [first, second] = scheduler.lrs();
    expect(first).toBeCloseTo(0.1 / 25, 15);
    expect(second).toBeCloseTo(1 / 25, 15);
    expect(scheduler.momentums()).toEqual([0.95, 0.95]);
    expect(createScheduler({ step: { stepSize: 2 } }, [0.1]).momentums()).toBeUndefined();
  });

  it('checks per-group lists against the group count', () => {
    expect(
      errorOf(() => createScheduler({ oneCycle: { maxLr: [0.1, 0.2], totalSteps: 10 } }, [0.1])).violations[0]
        .field,
    ).toBe('spec.oneCycle.maxLr');
    expect(
      errorOf(() => createScheduler({ reduceOnPlateau: { minLr: [0, 0] } }, [0.1])).violations[0].field,
    ).toBe('spec.reduceOnPlateau.minLr');
  });

  it('fails where PyTorch divides by zero on a zero-length oneCycle phase', () => {
    // pctStart * totalSteps = 1: the warm-up phase spans zero steps.
    expect(
      errorOf(() => createScheduler({ oneCycle: { maxLr: 0.1, totalSteps: 10, pctStart: 0.1 } }, [0.1]))
        .violations[0].field,
    ).toBe('spec.oneCycle.pctStart');
  });

  it('fails a lambda step where the Python lambda would raise, naming the epoch', () => {
    const scheduler = createScheduler({ lambda: { expression: '1 / (3 - epoch)' } }, [0.1]);
    scheduler.step();
    scheduler.step();
    expect(() => scheduler.step()).toThrow(
      'spec.lambda.expression: at position 2: division by zero (1 / 0) at epoch 3',
    );
  });

  it('keeps infinite plateau state through JSON', () => {
    const scheduler = createScheduler({ reduceOnPlateau: { patience: 0 } }, [0.1]);
    const saved = JSON.parse(JSON.stringify(scheduler.state())) as { scheduler: { best: unknown } };
    expect(saved.scheduler.best).toBe('Infinity');
    const resumed = createScheduler({ reduceOnPlateau: { patience: 0 } }, [0.1]);
    resumed.loadState(saved);
    resumed.step(5);
    resumed.step(5);
    expect(resumed.lrs()[0]).toBeCloseTo(0.01, 15);
  });

  it('refuses a state from another kind, format or group count', () => {
    const state = createScheduler({ step: { stepSize: 2 } }, [0.1]).state();
    expect(
      errorOf(() => createScheduler({ exponential: { gamma: 0.5 } }, [0.1]).loadState(state)).violations[0]
        .field,
    ).toBe('state.kind');
    expect(
      errorOf(() => createScheduler({ step: { stepSize: 2 } }, [0.1, 0.2]).loadState(state)).violations[0]
        .field,
    ).toBe('state.groups');
    expect(
      errorOf(() => createScheduler({ step: { stepSize: 2 } }, [0.1]).loadState({ ...state, format: 'x' }))
        .violations[0].field,
    ).toBe('state.format');
    expect(
      errorOf(() =>
        createScheduler({ step: { stepSize: 2 } }, [0.1]).loadState({
          ...state,
          scheduler: { lastEpoch: 'x' },
        }),
      ).violations[0].field,
    ).toBe('state.scheduler.lastEpoch');
  });
});
