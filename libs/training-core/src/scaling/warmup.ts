import { check, ValidationError } from '../errors';
import { parseSchedulerSpec, type SchedulerSpec } from '../schedulers';

export interface Warmup {
  /** The LR at the first step as a fraction of the scaled LR: base_lr / scaled_lr, in (0, 1]. */
  readonly startFactor: number;
  /** Scheduler steps the ramp lasts (iterations, or epochs when the scheduler steps per epoch). */
  readonly totalIters: number;
}

/**
 * How the warm-up joins the main schedule:
 * - `sequential` (default): SequentialLR([LinearLR, main], milestones [totalIters]). The main
 *   schedule starts at the milestone, from the scaled LR; its own clock starts there.
 * - `chained`: ChainedScheduler([LinearLR, main]). The ramp multiplies the main schedule during the
 *   first totalIters steps; the main schedule counts from step 0 (milestones stay where they were).
 */
export type WarmupComposition = 'sequential' | 'chained';

/** The identity schedule that stands for "no main schedule" (factor 1 changes nothing). */
export const CONSTANT_SCHEDULE: SchedulerSpec = { constant: { factor: 1, totalIters: 1 } };

/**
 * The linear warm-up of Goyal et al. 2017 composed with any main schedule (null: keep the scaled
 * LR). The optimizer's LR (the schedule base) must be the scaled LR; the ramp starts it at
 * scaled * startFactor = base_lr. Sequential main schedules are flattened (PyTorch cannot nest
 * SequentialLR); chained ones join the chain. ReduceLROnPlateau cannot be composed in PyTorch 1.13
 * (SequentialLR and ChainedScheduler step it without a metric): start it after the warm-up instead.
 */
export function composeWarmup(
  main: SchedulerSpec | null,
  warmup: Warmup,
  composition: WarmupComposition = 'sequential',
): SchedulerSpec {
  check(
    Number.isFinite(warmup.startFactor) && warmup.startFactor > 0 && warmup.startFactor <= 1,
    'warmup.startFactor',
    `must be in (0, 1], got ${warmup.startFactor}`,
  );
  check(
    Number.isInteger(warmup.totalIters) && warmup.totalIters >= 1,
    'warmup.totalIters',
    `must be an integer >= 1, got ${warmup.totalIters}`,
  );
  check(
    composition === 'sequential' || composition === 'chained',
    'composition',
    `must be "sequential" or "chained", got "${String(composition)}"`,
  );
  if (main !== null) parseSchedulerSpec(main, 'mainSchedule');
  check(
    main === null || !('reduceOnPlateau' in main),
    'mainSchedule',
    'reduceOnPlateau cannot follow a warm-up inside a PyTorch composite (it needs a metric); run the warm-up, then start the plateau scheduler',
  );
  const ramp: SchedulerSpec = {
    linear: { startFactor: warmup.startFactor, endFactor: 1, totalIters: warmup.totalIters },
  };

  let composed: SchedulerSpec;
  if (composition === 'chained') {
    const rest = main === null ? [] : 'chained' in main ? main.chained.schedulers : [main];
    composed = { chained: { schedulers: [ramp, ...rest] } };
  } else if (main !== null && 'chained' in main) {
    throw new ValidationError({
      field: 'mainSchedule',
      description:
        'a chained schedule cannot follow a warm-up in SequentialLR (PyTorch steps it with step(0)); use composition "chained"',
    });
  } else if (main !== null && 'sequential' in main) {
    // Shift the main schedule's milestones by the warm-up: the same schedule as nesting it.
    const { schedulers, milestones } = main.sequential;
    composed = {
      sequential: {
        schedulers: [ramp, ...schedulers],
        milestones: [warmup.totalIters, ...milestones.map((m) => m + warmup.totalIters)],
      },
    };
  } else {
    composed = {
      sequential: { schedulers: [ramp, main ?? CONSTANT_SCHEDULE], milestones: [warmup.totalIters] },
    };
  }
  parseSchedulerSpec(composed, 'warmup');
  return composed;
}
