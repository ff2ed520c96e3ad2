import { ChainableScheduler } from './chainable-scheduler';
import type { LrGroup } from './lr-group';

/** PyTorch 1.13 PolynomialLR: base * (1 - t / totalIters) ** power, reaching 0 at totalIters and staying there. */
export class PolynomialLr extends ChainableScheduler {
  constructor(
    groups: LrGroup[],
    private readonly totalIters: number,
    private readonly power: number,
  ) {
    super(groups);
    this.initialStep();
  }

  protected getLr(): number[] {
    const { lastEpoch: t, totalIters: n } = this;
    if (t === 0 || t > n) return this.currentLrs();
    const decay = ((1.0 - t / n) / (1.0 - (t - 1) / n)) ** this.power;
    return this.currentLrs().map((lr) => lr * decay);
  }

  protected override closedFormLr(): number[] {
    const { lastEpoch: t, totalIters: n } = this;
    return this.baseLrs.map((base) => base * (1.0 - Math.min(n, t) / n) ** this.power);
  }
}
