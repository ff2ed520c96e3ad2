import { ChainableScheduler } from './chainable-scheduler';
import type { LrGroup } from './lr-group';

/** PyTorch 1.13 ExponentialLR: multiply by gamma every step. */
export class ExponentialLr extends ChainableScheduler {
  constructor(
    groups: LrGroup[],
    private readonly gamma: number,
  ) {
    super(groups);
    this.initialStep();
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** this.lastEpoch);
  }
}
