import { ChainableScheduler } from './chainable-scheduler';
import type { LrGroup } from './lr-group';

/** PyTorch 1.13 LinearLR: the factor moves linearly from startFactor to endFactor over totalIters steps. */
export class LinearLr extends ChainableScheduler {
  constructor(
    groups: LrGroup[],
    private readonly startFactor: number,
    private readonly endFactor: number,
    private readonly totalIters: number,
  ) {
    super(groups);
    this.initialStep();
  }

  protected getLr(): number[] {
    const { lastEpoch: t, startFactor: s, endFactor: e, totalIters: n } = this;
    if (t === 0) return this.currentLrs().map((lr) => lr * s);
    if (t > n) return this.currentLrs();
    // Recursive: lr * (1 + (e - s) / (n * s + (t - 1) * (e - s))).
    return this.currentLrs().map((lr) => lr * (1 + (e - s) / (n * s + (t - 1) * (e - s))));
  }

  protected override closedFormLr(): number[] {
    const { lastEpoch: t, startFactor: s, endFactor: e, totalIters: n } = this;
    return this.baseLrs.map((base) => base * (s + ((e - s) * Math.min(n, t)) / n));
  }
}
