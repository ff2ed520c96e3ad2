import { ChainableScheduler } from './chainable-scheduler';
import type { LrGroup } from './lr-group';

/** PyTorch 1.13 ConstantLR: the LR times `factor` until step totalIters, then the LR undivided. */
export class ConstantLr extends ChainableScheduler {
  constructor(
    groups: LrGroup[],
    private readonly factor: number,
    private readonly totalIters: number,
  ) {
    super(groups);
    this.initialStep();
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.currentLrs().map((lr) => lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * (1.0 / this.factor));
  }

  protected override closedFormLr(): number[] {
    const after = this.lastEpoch >= this.totalIters ? 1 : 0;
    return this.baseLrs.map((base) => base * (this.factor + after * (1 - this.factor)));
  }
}
