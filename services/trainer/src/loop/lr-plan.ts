import { composeWarmup, createScheduler, type Scheduler, type SchedulerSpec } from '@athanor/training-core';
import type { ResolvedTrainConfig } from '../run-config/resolve-config';

/**
 * The learning rate of every parameter group over a run: the warm-up (Goyal et al. 2017, a LinearLR
 * ramp) and the SchedulerSpec, stepped in PyTorch's order (after the optimizer step). With a
 * per-iteration scheduler the warm-up is composed into one SequentialLR (the numbers `athanor
 * schedule` prints for the composed spec); with a per-epoch scheduler the ramp runs per iteration
 * first and the scheduler takes over at its end, counting epochs.
 */
export interface LrPlan {
  lrs(): number[];
  momentums(): number[] | undefined;
  /** After each optimizer step. */
  afterStep(): void;
  /** After each epoch's last step. */
  afterEpoch(): void;
  /** After each validation: ReduceLROnPlateau reads the monitored metric. */
  afterValidation(metric: number): void;
  state(): unknown;
  loadState(state: unknown): void;
}

interface PlanState {
  readonly phase: 'warmup' | 'main';
  readonly warmupDone: number;
  readonly fresh?: boolean;
  readonly scheduler: unknown;
}

export function createLrPlan(
  config: Pick<ResolvedTrainConfig, 'scheduler' | 'warmup' | 'stepUnit'>,
  baseLrs: readonly number[],
  stepsPerEpoch: number,
): LrPlan {
  const warmupSteps = warmupIterations(config.warmup, stepsPerEpoch);
  const main = config.scheduler;
  const plateau = main !== null && 'reduceOnPlateau' in main;
  if (warmupSteps > 0 && config.stepUnit === 'iteration' && !plateau) {
    const composed = composeWarmup(main, {
      startFactor: config.warmup!.startFactor,
      totalIters: warmupSteps,
    });
    return new SinglePlan(createScheduler(composed, baseLrs), 'iteration');
  }
  if (warmupSteps > 0) {
    return new TwoPhasePlan(
      createScheduler(
        { linear: { startFactor: config.warmup!.startFactor, endFactor: 1, totalIters: warmupSteps } },
        baseLrs,
      ),
      warmupSteps,
      () => (main === null ? null : createScheduler(main, baseLrs)),
      config.stepUnit,
      baseLrs,
    );
  }
  return new SinglePlan(main === null ? null : createScheduler(main, baseLrs), config.stepUnit, baseLrs);
}

/** Iterations of warm-up (epochs converted with the run's steps per epoch, rounded). */
export function warmupIterations(warmup: ResolvedTrainConfig['warmup'], stepsPerEpoch: number): number {
  if (warmup === null) return 0;
  if (warmup.steps !== undefined) return warmup.steps;
  return Math.max(1, Math.round((warmup.epochs ?? 0) * stepsPerEpoch));
}

/** The spec a per-iteration plan runs (for PreviewSchedule), or null for a constant lr. */
export function composedSpec(
  config: Pick<ResolvedTrainConfig, 'scheduler' | 'warmup'>,
  stepsPerEpoch: number,
): SchedulerSpec | null {
  const w = warmupIterations(config.warmup, stepsPerEpoch);
  if (w === 0) return config.scheduler;
  return composeWarmup(config.scheduler, { startFactor: config.warmup!.startFactor, totalIters: w });
}

class SinglePlan implements LrPlan {
  private readonly plateau: boolean;
  constructor(
    private readonly scheduler: Scheduler | null,
    private readonly unit: 'iteration' | 'epoch',
    private readonly constant: readonly number[] = [],
  ) {
    this.plateau = scheduler?.kind === 'reduceOnPlateau';
  }
  lrs(): number[] {
    return this.scheduler?.lrs() ?? [...this.constant];
  }
  momentums(): number[] | undefined {
    return this.scheduler?.momentums();
  }
  afterStep(): void {
    if (this.unit === 'iteration' && !this.plateau) this.scheduler?.step();
  }
  afterEpoch(): void {
    if (this.unit === 'epoch' && !this.plateau) this.scheduler?.step();
  }
  afterValidation(metric: number): void {
    if (this.plateau) this.scheduler!.step(metric);
  }
  state(): unknown {
    return { phase: 'main', warmupDone: 0, scheduler: this.scheduler?.state() ?? null } satisfies PlanState;
  }
  loadState(state: unknown): void {
    const s = state as PlanState;
    if (this.scheduler !== null) this.scheduler.loadState(s.scheduler);
  }
}

class TwoPhasePlan implements LrPlan {
  private main: Scheduler | null = null;
  private done = 0;
  /** No step has run under the main schedule yet: an epoch that ended in warm-up is not its epoch. */
  private fresh = true;
  constructor(
    private readonly ramp: Scheduler,
    private readonly length: number,
    private readonly makeMain: () => Scheduler | null,
    private readonly unit: 'iteration' | 'epoch',
    private readonly baseLrs: readonly number[],
  ) {}
  private get inWarmup(): boolean {
    return this.done < this.length;
  }
  lrs(): number[] {
    if (this.inWarmup) return this.ramp.lrs();
    return this.main?.lrs() ?? [...this.baseLrs];
  }
  momentums(): number[] | undefined {
    return this.inWarmup ? undefined : this.main?.momentums();
  }
  afterStep(): void {
    if (this.inWarmup) {
      this.ramp.step();
      this.done += 1;
      if (!this.inWarmup) this.main = this.makeMain();
      return;
    }
    this.fresh = false;
    if (this.unit === 'iteration' && this.main?.kind !== 'reduceOnPlateau') this.main?.step();
  }
  afterEpoch(): void {
    if (!this.inWarmup && !this.fresh && this.unit === 'epoch' && this.main?.kind !== 'reduceOnPlateau')
      this.main?.step();
  }
  afterValidation(metric: number): void {
    if (!this.inWarmup && this.main?.kind === 'reduceOnPlateau') this.main.step(metric);
  }
  state(): unknown {
    return {
      phase: this.inWarmup ? 'warmup' : 'main',
      warmupDone: this.done,
      fresh: this.fresh,
      scheduler: this.inWarmup ? this.ramp.state() : (this.main?.state() ?? null),
    } satisfies PlanState;
  }
  loadState(state: unknown): void {
    const s = state as PlanState;
    this.done = s.warmupDone;
    this.fresh = s.fresh ?? true;
    if (s.phase === 'warmup') this.ramp.loadState(s.scheduler);
    else {
      this.main = this.makeMain();
      if (this.main !== null && s.scheduler !== null) this.main.loadState(s.scheduler);
    }
  }
}
