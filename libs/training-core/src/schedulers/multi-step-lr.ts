import { bisectRight } from './bisect-right';
import { ChainableScheduler } from './chainable-scheduler';
import type { LrGroup } from './lr-group';

/** PyTorch 1.13 MultiStepLR: multiply by gamma at each milestone; a milestone listed k times multiplies by gamma**k. */
export class MultiStepLr extends ChainableScheduler {
  // PyTorch keeps a Counter of the milestones.
  private readonly counts = new Map<number, number>();
  private readonly sorted: number[];

  constructor(
    groups: LrGroup[],
    milestones: readonly number[],
    private readonly gamma: number,
  ) {
    super(groups);
    for (const m of milestones) this.counts.set(m, (this.counts.get(m) ?? 0) + 1);
    this.sorted = [...milestones].sort((a, b) => a - b);
    this.initialStep();
  }

  protected getLr(): number[] {
    const count = this.counts.get(this.lastEpoch);
    if (count === undefined) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.gamma ** count);
  }

  // base_lr * gamma ** bisect_right(sorted milestones, last_epoch)
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** bisectRight(this.sorted, this.lastEpoch));
  }
}
