import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors';
import { createScheduler } from './create-scheduler';
import { previewSchedule } from './preview-schedule';
import type { Scheduler } from './scheduler';
import type { SchedulerSpec } from './scheduler-spec';

/** One case of fixtures/schedulers.json, written by tools/make-scheduler-fixtures.py from PyTorch 1.13. */
interface Fixture {
  readonly name: string;
  readonly spec: SchedulerSpec;
  readonly baseLrs: number[];
  readonly steps: number;
  readonly metrics?: number[];
  /** Per step: the epoch PyTorch's step(epoch) got, or null for a plain step(). */
  readonly epochs?: (number | null)[];
  readonly lrs: number[][];
  readonly momentums?: number[][];
  /** PyTorch raised when stepping after step `atStep`. */
  readonly error?: { atStep: number; message: string };
}

const fixtures = (
  JSON.parse(readFileSync(resolve(__dirname, '../../fixtures/schedulers.json'), 'utf8')) as {
    cases: Fixture[];
  }
).cases;

function expectClose(actual: readonly number[] | undefined, expected: readonly number[], what: string): void {
  expect(actual, what).toBeDefined();
  expect(actual!.length, what).toBe(expected.length);
  expected.forEach((e, g) => {
    const a = actual![g];
    // 1e-9 relative, 1e-12 absolute near zero.
    if (!(Math.abs(a - e) <= Math.max(1e-9 * Math.abs(e), 1e-12))) {
      expect.fail(`${what} group ${g}: got ${a}, PyTorch ${e}`);
    }
  });
}

/** Steps as the fixture's Python loop did after step i. */
function advance(scheduler: Scheduler, fixture: Fixture, i: number): void {
  if (fixture.metrics) {
    if (i < fixture.metrics.length) scheduler.step(fixture.metrics[i]);
  } else if (fixture.epochs && fixture.epochs[i] !== null && fixture.epochs[i] !== undefined) {
    scheduler.stepTo(fixture.epochs[i]);
  } else {
    scheduler.step();
  }
}

/** Runs steps [from, to), checking each against PyTorch, and returns the LRs seen. */
function runAndCheck(scheduler: Scheduler, fixture: Fixture, from: number, to: number): number[][] {
  const seen: number[][] = [];
  for (let i = from; i < to; i++) {
    if (i >= fixture.lrs.length) break;
    expectClose(scheduler.lrs(), fixture.lrs[i], `${fixture.name} step ${i} lr`);
    if (fixture.momentums)
      expectClose(scheduler.momentums(), fixture.momentums[i], `${fixture.name} step ${i} momentum`);
    else expect(scheduler.momentums()).toBeUndefined();
    seen.push(scheduler.lrs());
    if (fixture.error?.atStep === i) {
      expect(() => advance(scheduler, fixture, i)).toThrow(ValidationError);
      break;
    }
    advance(scheduler, fixture, i);
  }
  return seen;
}

describe('schedulers against PyTorch 1.13 fixtures', () => {
  it('has a fixture for every scheduler kind', () => {
    const kinds = new Set(fixtures.map((f) => Object.keys(f.spec)[0]));
    expect([...kinds].sort()).toEqual(
      [
        'chained',
        'constant',
        'cosineAnnealing',
        'cosineAnnealingWarmRestarts',
        'exponential',
        'lambda',
        'linear',
      ]
        .concat(['multiStep', 'oneCycle', 'polynomial', 'reduceOnPlateau', 'sequential', 'step'])
        .sort(),
    );
  });

  it.each(fixtures.map((f) => [f.name, f] as const))('%s', (_name, fixture) => {
    const scheduler = createScheduler(fixture.spec, fixture.baseLrs);
    runAndCheck(scheduler, fixture, 0, fixture.steps);
  });

  it.each(fixtures.filter((f) => !f.epochs).map((f) => [f.name, f] as const))(
    'previewSchedule: %s',
    (_name, fixture) => {
      if (fixture.error) {
        expect(() => previewSchedule(fixture.spec, fixture.baseLrs, fixture.steps, fixture.metrics)).toThrow(
          /totalSteps/,
        );
        return;
      }
      const preview = previewSchedule(fixture.spec, fixture.baseLrs, fixture.steps, fixture.metrics);
      expect(preview).toHaveLength(fixture.steps);
      preview.forEach((lrs, i) => expectClose(lrs, fixture.lrs[i], `${fixture.name} preview step ${i}`));
    },
  );
});

describe('state round trip', () => {
  it.each(fixtures.map((f) => [f.name, f] as const))(
    '%s continues the same sequence after restore',
    (_name, fixture) => {
      const uninterrupted = createScheduler(fixture.spec, fixture.baseLrs);
      const full = runAndCheck(uninterrupted, fixture, 0, fixture.steps);
      const last = fixture.error ? fixture.error.atStep : fixture.steps;
      for (const k of new Set(
        [1, Math.floor(last / 3), Math.floor(last / 2), last - 1].filter((k) => k > 0 && k < last),
      )) {
        const first = createScheduler(fixture.spec, fixture.baseLrs);
        const before = runAndCheck(first, fixture, 0, k);
        const saved = JSON.stringify(first.state());
        const resumed = createScheduler(fixture.spec, fixture.baseLrs);
        resumed.loadState(JSON.parse(saved));
        const after = runAndCheck(resumed, fixture, k, fixture.steps);
        // Bit-identical to the uninterrupted run, not merely close.
        expect([...before, ...after], `split at ${k}`).toEqual(full);
      }
    },
  );
});
