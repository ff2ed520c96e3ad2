import type { JsonObject } from './json-state';
import { stateNumber, stateNumbers } from './json-state';
import type { LrGroup } from './lr-group';
import type { TorchScheduler } from './torch-scheduler';

/**
 * PyTorch 1.13's `_LRScheduler`: a step counter (`last_epoch`) and a `get_lr` that is chainable,
 * i.e. most kinds multiply the group's current LR (recursive form) rather than recompute it from
 * the base. Composition relies on that: ChainedScheduler multiplies the effects, SequentialLR
 * restarts a child with step(0), which uses the closed form where PyTorch has one.
 */
export abstract class ChainableScheduler implements TorchScheduler {
  lastEpoch = -1;
  /** PyTorch's `_step_count`; CosineAnnealingLR reads it. */
  stepCount = 0;
  readonly baseLrs: number[];

  protected constructor(protected readonly groups: LrGroup[]) {
    // PyTorch: group.setdefault('initial_lr', group['lr']); the first scheduler on an optimizer fixes the base.
    for (const group of groups) group.initialLr ??= group.lr;
    this.baseLrs = groups.map((group) => group.initialLr!);
  }

  /** PyTorch's `_initial_step`, run at the end of every constructor: the first LR is the constructor's. */
  initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** `step()` advances one; `step(epoch)` is PyTorch's deprecated form: jump, using the closed form if there is one. */
  step(epoch?: number): void {
    this.stepCount += 1;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch += 1;
      values = this.getLr();
    } else {
      this.lastEpoch = epoch;
      values = this.closedFormLr() ?? this.getLr();
    }
    values.forEach((lr, i) => {
      this.groups[i].lr = lr;
    });
  }

  protected currentLrs(): number[] {
    return this.groups.map((group) => group.lr);
  }

  protected abstract getLr(): number[];

  /** PyTorch's `_get_closed_form_lr`; undefined where the class has none. */
  protected closedFormLr(): number[] | undefined {
    return undefined;
  }

  state(): JsonObject {
    return {
      lastEpoch: this.lastEpoch,
      stepCount: this.stepCount,
      baseLrs: [...this.baseLrs],
      ...this.extraState(),
    };
  }

  loadState(state: Record<string, unknown>, path: string): void {
    this.lastEpoch = stateNumber(state, 'lastEpoch', path);
    this.stepCount = stateNumber(state, 'stepCount', path);
    stateNumbers(state, 'baseLrs', path, this.baseLrs.length).forEach((lr, i) => {
      this.baseLrs[i] = lr;
    });
    this.loadExtraState(state, path);
  }

  protected extraState(): JsonObject {
    return {};
  }

  protected loadExtraState(_state: Record<string, unknown>, _path: string): void {}
}
