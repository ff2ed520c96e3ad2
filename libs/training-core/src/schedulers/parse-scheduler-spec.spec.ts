import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors';
import { parseSchedulerSpec } from './parse-scheduler-spec';

function violationsOf(json: unknown): { field: string; description: string }[] {
  try {
    parseSchedulerSpec(json);
  } catch (error) {
    if (error instanceof ValidationError) return [...error.violations];
    throw error;
  }
  throw new Error('expected a ValidationError');
}

const fields = (json: unknown): string[] => violationsOf(json).map((v) => v.field);

describe('parseSchedulerSpec', () => {
  it("fills PyTorch 1.13's defaults", () => {
    expect(parseSchedulerSpec({ step: { stepSize: 30 } })).toEqual({
      kind: 'step',
      stepSize: 30,
      gamma: 0.1,
    });
    expect(parseSchedulerSpec({ reduceOnPlateau: {} })).toEqual({
      kind: 'reduceOnPlateau',
      mode: 'min',
      factor: 0.1,
      patience: 10,
      threshold: 1e-4,
      thresholdMode: 'rel',
      cooldown: 0,
      minLr: 0,
      eps: 1e-8,
    });
    expect(parseSchedulerSpec({ linear: {} })).toEqual({
      kind: 'linear',
      startFactor: 1 / 3,
      endFactor: 1,
      totalIters: 5,
    });
    expect(parseSchedulerSpec({ constant: {} })).toEqual({ kind: 'constant', factor: 1 / 3, totalIters: 5 });
    expect(parseSchedulerSpec({ polynomial: {} })).toEqual({ kind: 'polynomial', totalIters: 5, power: 1 });
    expect(parseSchedulerSpec({ cosineAnnealingWarmRestarts: { t0: 10 } })).toEqual({
      kind: 'cosineAnnealingWarmRestarts',
      t0: 10,
      tMult: 1,
      etaMin: 0,
    });
    expect(parseSchedulerSpec({ oneCycle: { maxLr: 0.1, totalSteps: 100 } })).toEqual({
      kind: 'oneCycle',
      maxLr: 0.1,
      totalSteps: 100,
      pctStart: 0.3,
      annealStrategy: 'cos',
      cycleMomentum: true,
      baseMomentum: 0.85,
      maxMomentum: 0.95,
      divFactor: 25,
      finalDivFactor: 1e4,
      threePhase: false,
    });
    expect(parseSchedulerSpec({ oneCycle: { maxLr: 0.1, epochs: 3, stepsPerEpoch: 7 } })).toMatchObject({
      totalSteps: 21,
    });
  });

  it('accepts every DESIGN.md example', () => {
    const examples = [
      { step: { stepSize: 30, gamma: 0.1 } },
      { multiStep: { milestones: [30, 80], gamma: 0.1 } },
      { exponential: { gamma: 0.9 } },
      { cosineAnnealing: { tMax: 100, etaMin: 0 } },
      { cosineAnnealingWarmRestarts: { t0: 10, tMult: 2, etaMin: 0 } },
      {
        reduceOnPlateau: {
          mode: 'min',
          factor: 0.1,
          patience: 10,
          threshold: 1e-4,
          thresholdMode: 'rel',
          cooldown: 0,
          minLr: 0,
          eps: 1e-8,
        },
      },
      { lambda: { expression: '0.95 ** epoch' } },
      { linear: { startFactor: 0.3333, endFactor: 1.0, totalIters: 5 } },
      { constant: { factor: 0.3333, totalIters: 5 } },
      { polynomial: { totalIters: 5, power: 1.0 } },
      {
        oneCycle: {
          maxLr: 0.1,
          totalSteps: 100,
          pctStart: 0.3,
          annealStrategy: 'cos',
          divFactor: 25,
          finalDivFactor: 10000,
          threePhase: false,
        },
      },
      { sequential: { schedulers: [{ linear: {} }, { exponential: { gamma: 0.9 } }], milestones: [5] } },
      { chained: { schedulers: [{ constant: {} }, { exponential: { gamma: 0.9 } }] } },
    ];
    for (const example of examples) expect(() => parseSchedulerSpec(example)).not.toThrow();
  });

  it.each([
    [{ reduceOnPlateau: { factor: 1 } }, 'spec.reduceOnPlateau.factor', /must be < 1/],
    [{ reduceOnPlateau: { factor: 1.5 } }, 'spec.reduceOnPlateau.factor', /must be < 1/],
    [{ cosineAnnealingWarmRestarts: { t0: 0 } }, 'spec.cosineAnnealingWarmRestarts.t0', /must be >= 1/],
    [{ cosineAnnealingWarmRestarts: { t0: -3 } }, 'spec.cosineAnnealingWarmRestarts.t0', /must be >= 1/],
    [
      { cosineAnnealingWarmRestarts: { t0: 2.5 } },
      'spec.cosineAnnealingWarmRestarts.t0',
      /must be an integer/,
    ],
    [
      { cosineAnnealingWarmRestarts: { t0: 5, tMult: 0 } },
      'spec.cosineAnnealingWarmRestarts.tMult',
      /must be >= 1/,
    ],
    [
      { cosineAnnealingWarmRestarts: { t0: 5, tMult: 1.5 } },
      'spec.cosineAnnealingWarmRestarts.tMult',
      /must be an integer/,
    ],
    [{ step: { stepSize: 0 } }, 'spec.step.stepSize', /must be >= 1/],
    [{ step: {} }, 'spec.step.stepSize', /is required/],
    [{ exponential: { gamma: -0.5 } }, 'spec.exponential.gamma', /must be >= 0/],
    [{ exponential: { gamma: '0.9' } }, 'spec.exponential.gamma', /must be a number, got '0.9'/],
    [{ cosineAnnealing: { tMax: 10, etaMin: -1 } }, 'spec.cosineAnnealing.etaMin', /must be >= 0/],
    [{ linear: { startFactor: 0 } }, 'spec.linear.startFactor', /must be > 0/],
    [{ linear: { endFactor: 1.5 } }, 'spec.linear.endFactor', /must be <= 1/],
    [{ constant: { factor: 2 } }, 'spec.constant.factor', /must be <= 1/],
    [{ multiStep: { milestones: [3, -1] } }, 'spec.multiStep.milestones[1]', /must be >= 0/],
    [
      { oneCycle: { maxLr: 0.1 } },
      'spec.oneCycle.totalSteps',
      /is required \(or give both epochs and stepsPerEpoch\)/,
    ],
    [{ oneCycle: { maxLr: 0.1, totalSteps: 10, pctStart: 1.2 } }, 'spec.oneCycle.pctStart', /must be <= 1/],
    [
      { oneCycle: { maxLr: 0.1, totalSteps: 10, annealStrategy: 'exp' } },
      'spec.oneCycle.annealStrategy',
      /'cos', 'linear'/,
    ],
    [{ oneCycle: { maxLr: 0.1, epochs: 3 } }, 'spec.oneCycle.stepsPerEpoch', /is required/],
    [
      { lambda: { expression: '0.95 ** epcoh' } },
      'spec.lambda.expression',
      /position 8: unknown name 'epcoh'/,
    ],
    [{ lambda: { expression: '0.95 **' } }, 'spec.lambda.expression', /position 7: expected a number/],
    [{ lambda: { expression: '1 / epoch' } }, 'spec.lambda.expression', /division by zero/],
    [{ reduceOnPlateau: { mode: 'minimum' } }, 'spec.reduceOnPlateau.mode', /one of 'min', 'max'/],
    [{ reduceOnPlateau: { patience: 1.5 } }, 'spec.reduceOnPlateau.patience', /integer/],
    [{ cosineAnnealing: { tMax: Infinity } }, 'spec.cosineAnnealing.tMax', /must be finite/],
  ])('rejects %j at %s', (json, field, description) => {
    const violations = violationsOf(json);
    const hit = violations.find((v) => v.field === field);
    expect(hit, JSON.stringify(violations)).toBeDefined();
    expect(hit!.description).toMatch(description);
  });

  it('requires milestones to be one fewer than schedulers', () => {
    const violations = violationsOf({
      sequential: { schedulers: [{ linear: {} }, { exponential: { gamma: 0.9 } }], milestones: [5, 9] },
    });
    expect(violations).toEqual([
      {
        field: 'spec.sequential.milestones',
        description: 'must have one fewer entry than schedulers (2 schedulers, 2 milestones)',
      },
    ]);
    expect(
      fields({
        sequential: { schedulers: [{ linear: {} }, { linear: {} }, { linear: {} }], milestones: [5, 5] },
      }),
    ).toEqual(['spec.sequential.milestones[1]']);
  });

  it('lists every problem, with nested paths', () => {
    expect(
      fields({
        sequential: {
          schedulers: [
            { linear: { startFactor: 2 } },
            { cosineAnnealing: { tMax: 0, eta_min: 0 } },
            { reduceOnPlateau: {} },
          ],
          milestones: [5],
        },
      }),
    ).toEqual([
      'spec.sequential.schedulers[0].linear.startFactor',
      'spec.sequential.schedulers[1].cosineAnnealing.eta_min',
      'spec.sequential.schedulers[1].cosineAnnealing.tMax',
      'spec.sequential.schedulers[2].reduceOnPlateau',
      'spec.sequential.milestones',
    ]);
  });

  it('hints at lowerCamelCase for snake_case fields and lists known fields otherwise', () => {
    expect(violationsOf({ step: { step_size: 3 } })[0]).toEqual({
      field: 'spec.step.step_size',
      description: "unknown field; use 'stepSize' (lowerCamelCase)",
    });
    expect(violationsOf({ step: { stepSize: 3, gama: 0.5 } })[0].description).toBe(
      'unknown field; known fields: stepSize, gamma',
    );
  });

  it('rejects unknown kinds, several kinds, and non-objects', () => {
    const [unknown] = violationsOf({ cyclic: {} });
    expect(unknown.field).toBe('spec.cyclic');
    expect(unknown.description).toMatch(/unknown scheduler kind 'cyclic'; expected one of step, multiStep/);
    expect(fields({ step: { stepSize: 1 }, exponential: { gamma: 0.5 } })).toEqual(['spec']);
    expect(fields({})).toEqual(['spec']);
    expect(fields('step')).toEqual(['spec']);
    expect(fields({ step: 3 })).toEqual(['spec.step']);
    expect(fields({ chained: { schedulers: [] } })).toEqual(['spec.chained.schedulers']);
  });

  it('refuses kinds PyTorch cannot step inside a composite', () => {
    expect(fields({ chained: { schedulers: [{ reduceOnPlateau: {} }] } })).toEqual([
      'spec.chained.schedulers[0].reduceOnPlateau',
    ]);
    expect(
      fields({
        sequential: {
          schedulers: [{ linear: {} }, { chained: { schedulers: [{ linear: {} }] } }],
          milestones: [2],
        },
      }),
    ).toEqual(['spec.sequential.schedulers[1].chained']);
    expect(() =>
      parseSchedulerSpec({
        chained: { schedulers: [{ sequential: { schedulers: [{ linear: {} }], milestones: [] } }] },
      }),
    ).not.toThrow();
  });

  it('uses the given path prefix', () => {
    expect(fields({ step: {} }).length).toBe(1);
    expect(() => parseSchedulerSpec({ step: {} }, 'request.schedule')).toThrow(
      'request.schedule.step.stepSize: is required',
    );
  });
});
