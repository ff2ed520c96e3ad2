import { pyFloorDiv } from '../expression/python-arithmetic';
import { ChainableScheduler } from './chainable-scheduler';
import type { LrGroup } from './lr-group';

/** PyTorch 1.13 StepLR: multiply by gamma every `stepSize` steps. */
export class StepLr extends ChainableScheduler {
  constructor(
    groups: LrGroup[],
    private readonly stepSize: number,
    private readonly gamma: number,
  ) {
    super(groups);
    this.initialStep();
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.gamma);
  }

  // base_lr * gamma ** (last_epoch // step_size)
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** pyFloorDiv(this.lastEpoch, this.stepSize));
  }
}
