import { ValidationError } from '../errors';
import type { JsonObject } from './json-state';
import { encodeFloat, stateNumber } from './json-state';
import type { LrGroup } from './lr-group';
import type { SchedulerConfig } from './scheduler-spec';

type PlateauConfig = Extract<SchedulerConfig, { kind: 'reduceOnPlateau' }>;

/**
 * PyTorch 1.13 ReduceLROnPlateau: after more than `patience` steps without a metric better than
 * the best by the threshold, multiply every LR by `factor` (not below minLr, and only when the
 * change exceeds eps), then ignore `cooldown` steps. It leaves the constructor's LRs untouched.
 */
export class ReduceLrOnPlateau {
  private readonly minLrs: number[];
  private best: number;
  private numBadEpochs = 0;
  private cooldownCounter = 0;
  private lastEpoch = 0;

  constructor(
    private readonly groups: LrGroup[],
    private readonly config: PlateauConfig,
    path: string,
  ) {
    const { minLr } = config;
    if (Array.isArray(minLr) && minLr.length !== groups.length) {
      throw new ValidationError({
        field: `${path}.minLr`,
        description: `needs one value per parameter group (${groups.length}), got ${minLr.length}`,
      });
    }
    this.minLrs = Array.isArray(minLr) ? [...minLr] : groups.map(() => minLr);
    this.best = this.modeWorse();
  }

  /** PyTorch's step(metrics, epoch=None). A NaN metric is never better, as in Python. */
  step(metric: number, epoch?: number): void {
    this.lastEpoch = epoch ?? this.lastEpoch + 1;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs in cooldown do not count
    }
    if (this.numBadEpochs > this.config.patience) {
      this.reduceLr();
      this.cooldownCounter = this.config.cooldown;
      this.numBadEpochs = 0;
    }
  }

  private reduceLr(): void {
    this.groups.forEach((group, i) => {
      const oldLr = group.lr;
      const newLr = Math.max(oldLr * this.config.factor, this.minLrs[i]);
      if (oldLr - newLr > this.config.eps) group.lr = newLr;
    });
  }

  private isBetter(a: number, best: number): boolean {
    const { mode, threshold, thresholdMode } = this.config;
    if (mode === 'min' && thresholdMode === 'rel') return a < best * (1 - threshold);
    if (mode === 'min') return a < best - threshold;
    if (thresholdMode === 'rel') return a > best * (threshold + 1);
    return a > best + threshold;
  }

  private modeWorse(): number {
    return this.config.mode === 'min' ? Infinity : -Infinity;
  }

  state(): JsonObject {
    return {
      lastEpoch: this.lastEpoch,
      best: encodeFloat(this.best),
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
    };
  }

  loadState(state: Record<string, unknown>, path: string): void {
    this.lastEpoch = stateNumber(state, 'lastEpoch', path);
    this.best = stateNumber(state, 'best', path);
    this.numBadEpochs = stateNumber(state, 'numBadEpochs', path);
    this.cooldownCounter = stateNumber(state, 'cooldownCounter', path);
  }
}
