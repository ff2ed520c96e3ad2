import { ChainableScheduler } from './chainable-scheduler';
import type { LrGroup } from './lr-group';

/**
 * PyTorch 1.13 CosineAnnealingLR, in its recursive (chainable) form. Past tMax it does not stay at
 * etaMin: the recursion keeps following the cosine back up (period 2 * tMax), and when another
 * scheduler also changes the LR (ChainedScheduler) the recursion scales that LR, not the base.
 */
export class CosineAnnealingLr extends ChainableScheduler {
  constructor(
    groups: LrGroup[],
    private readonly tMax: number,
    private readonly etaMin: number,
  ) {
    super(groups);
    this.initialStep();
  }

  protected getLr(): number[] {
    const { lastEpoch: t, tMax, etaMin } = this;
    if (t === 0) return this.currentLrs();
    if (this.stepCount === 1 && t > 0) {
      return this.baseLrs.map(
        (base) => etaMin + ((base - etaMin) * (1 + Math.cos((t * Math.PI) / tMax))) / 2,
      );
    }
    // At T_cur = (2k+1) T_max the ratio below would divide by zero; PyTorch adds the increment instead.
    if ((t - 1 - tMax) % (2 * tMax) === 0) {
      return this.groups.map(
        (group, i) => group.lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2,
      );
    }
    const ratio = (1 + Math.cos((Math.PI * t) / tMax)) / (1 + Math.cos((Math.PI * (t - 1)) / tMax));
    return this.currentLrs().map((lr) => ratio * (lr - etaMin) + etaMin);
  }

  protected override closedFormLr(): number[] {
    const { lastEpoch: t, tMax, etaMin } = this;
    return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * t) / tMax))) / 2);
  }
}
