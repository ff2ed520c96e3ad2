import { ValidationError } from '../errors';
import { ChainableScheduler } from './chainable-scheduler';
import type { JsonObject } from './json-state';
import { stateNumber } from './json-state';
import type { LrGroup } from './lr-group';

/**
 * PyTorch 1.13 CosineAnnealingWarmRestarts (SGDR). step() advances T_cur by one; step(epoch)
 * accepts a fractional epoch (e.g. epoch + i / itersPerEpoch) and locates the cycle in closed form.
 */
export class CosineAnnealingWarmRestarts extends ChainableScheduler {
  private tI: number;
  private tCur: number;

  constructor(
    groups: LrGroup[],
    private readonly t0: number,
    private readonly tMult: number,
    private readonly etaMin: number,
  ) {
    super(groups);
    this.tI = t0;
    this.tCur = this.lastEpoch;
    this.initialStep();
  }

  // PyTorch overrides step() entirely (so _step_count is not advanced here).
  override step(epoch?: number): void {
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.tCur = this.tCur + 1;
      if (this.tCur >= this.tI) {
        this.tCur = this.tCur - this.tI;
        this.tI = this.tI * this.tMult;
      }
    } else {
      if (epoch < 0) throw new ValidationError({ field: 'epoch', description: `must be >= 0, got ${epoch}` });
      if (epoch >= this.t0) {
        if (this.tMult === 1) {
          this.tCur = epoch % this.t0;
        } else {
          // n = int(math.log(epoch / T_0 * (T_mult - 1) + 1, T_mult)); math.log(x, b) is log(x) / log(b).
          const n = Math.trunc(Math.log((epoch / this.t0) * (this.tMult - 1) + 1) / Math.log(this.tMult));
          this.tCur = epoch - (this.t0 * (this.tMult ** n - 1)) / (this.tMult - 1);
          this.tI = this.t0 * this.tMult ** n;
        }
      } else {
        this.tI = this.t0;
        this.tCur = epoch;
      }
    }
    this.lastEpoch = Math.floor(epoch);
    this.getLr().forEach((lr, i) => {
      this.groups[i].lr = lr;
    });
  }

  protected getLr(): number[] {
    const { etaMin } = this;
    return this.baseLrs.map(
      (base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * this.tCur) / this.tI))) / 2,
    );
  }

  protected override extraState(): JsonObject {
    return { tI: this.tI, tCur: this.tCur };
  }

  protected override loadExtraState(state: Record<string, unknown>, path: string): void {
    this.tI = stateNumber(state, 'tI', path);
    this.tCur = stateNumber(state, 'tCur', path);
  }
}
