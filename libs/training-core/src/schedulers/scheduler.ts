import type { JsonObject } from './json-state';
import type { SchedulerKind } from './scheduler-spec';

/** A checkpointable snapshot: JSON.stringify it, and loadState(JSON.parse(...)) continues the same sequence. */
export interface SchedulerState {
  readonly format: 'athanor.lr-scheduler/v1';
  readonly kind: SchedulerKind;
  /** Per parameter group: the LR in force, the base (initialLr) and any momentum the scheduler drives. */
  readonly groups: JsonObject[];
  /** The scheduler's own counters (children nested for sequential/chained). */
  readonly scheduler: JsonObject;
}

/**
 * An LR schedule over one or more parameter groups, in PyTorch's order: the LR in force for the
 * first optimizer step is the one the constructor set; call step() after every optimizer step
 * (per iteration or per epoch: the caller decides what a step is).
 */
export interface Scheduler {
  readonly kind: SchedulerKind;
  /** The LR of each group for the next optimizer step (PyTorch's get_last_lr()). */
  lrs(): number[];
  /** The momentum of each group when the scheduler drives it (oneCycle with cycleMomentum), else undefined. */
  momentums(): number[] | undefined;
  /** Advance one step. reduceOnPlateau requires the monitored metric; the other kinds ignore it. */
  step(metric?: number): void;
  /**
   * PyTorch's deprecated step(epoch): jump to `epoch` (closed form where PyTorch has one).
   * cosineAnnealingWarmRestarts accepts fractional epochs (epoch + i / itersPerEpoch).
   * Not available on sequential and chained, whose PyTorch step() takes no epoch.
   */
  stepTo(epoch: number, metric?: number): void;
  state(): SchedulerState;
  /** Restores a state() taken from a scheduler built from the same spec and group count. */
  loadState(state: unknown): void;
}
