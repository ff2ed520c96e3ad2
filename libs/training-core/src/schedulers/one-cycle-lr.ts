import { ValidationError } from '../errors';
import { ChainableScheduler } from './chainable-scheduler';
import type { LrGroup } from './lr-group';
import type { SchedulerConfig } from './scheduler-spec';

type OneCycleConfig = Extract<SchedulerConfig, { kind: 'oneCycle' }>;
type Boundary = 'initialLr' | 'maxLr' | 'minLr' | 'maxMomentum' | 'baseMomentum';

interface Phase {
  readonly endStep: number;
  readonly startLr: Boundary;
  readonly endLr: Boundary;
  readonly startMomentum: Boundary;
  readonly endMomentum: Boundary;
}

/**
 * PyTorch 1.13 OneCycleLR (Smith & Topsakal 2018, "Super-Convergence"): warm up from
 * maxLr / divFactor to maxLr, then anneal to initial / finalDivFactor (two phases, fastai's form),
 * or back to the initial LR and then down (threePhase, the paper's). It replaces the groups' LRs
 * and, with cycleMomentum, cycles momentum inversely between maxMomentum and baseMomentum.
 * It allows totalSteps scheduler steps; one more is an error, as in PyTorch.
 */
export class OneCycleLr extends ChainableScheduler {
  private readonly phases: Phase[];
  private readonly totalSteps: number;
  private readonly anneal: (start: number, end: number, pct: number) => number;
  private readonly cycleMomentum: boolean;

  constructor(
    groups: LrGroup[],
    config: OneCycleConfig,
    private readonly path: string,
  ) {
    super(OneCycleLr.prepareGroups(groups, config, path));
    const { totalSteps: total, pctStart: pct } = config;
    this.totalSteps = total;
    this.cycleMomentum = config.cycleMomentum;
    this.anneal = config.annealStrategy === 'cos' ? annealCos : annealLinear;
    this.phases = config.threePhase
      ? [
          {
            endStep: pct * total - 1,
            startLr: 'initialLr',
            endLr: 'maxLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'baseMomentum',
          },
          {
            endStep: 2 * pct * total - 2,
            startLr: 'maxLr',
            endLr: 'initialLr',
            startMomentum: 'baseMomentum',
            endMomentum: 'maxMomentum',
          },
          {
            endStep: total - 1,
            startLr: 'initialLr',
            endLr: 'minLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'maxMomentum',
          },
        ]
      : [
          {
            endStep: pct * total - 1,
            startLr: 'initialLr',
            endLr: 'maxLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'baseMomentum',
          },
          {
            endStep: total - 1,
            startLr: 'maxLr',
            endLr: 'minLr',
            startMomentum: 'baseMomentum',
            endMomentum: 'maxMomentum',
          },
        ];
    this.initialStep();
  }

  /** PyTorch writes initial_lr, max_lr, min_lr (and the momentum bounds) into each group before the base constructor runs. */
  private static prepareGroups(groups: LrGroup[], config: OneCycleConfig, path: string): LrGroup[] {
    const maxLrs = perGroup(config.maxLr, groups.length, `${path}.maxLr`);
    const maxMomentums = perGroup(config.maxMomentum, groups.length, `${path}.maxMomentum`);
    const baseMomentums = perGroup(config.baseMomentum, groups.length, `${path}.baseMomentum`);
    groups.forEach((group, i) => {
      group.initialLr = maxLrs[i] / config.divFactor;
      group.maxLr = maxLrs[i]!;
      group.minLr = group.initialLr / config.finalDivFactor;
      if (config.cycleMomentum) {
        group.momentum = maxMomentums[i]!;
        group.maxMomentum = maxMomentums[i]!;
        group.baseMomentum = baseMomentums[i]!;
      }
    });
    return groups;
  }

  override step(epoch?: number): void {
    // Checked before the counter moves, so a failed step leaves the scheduler usable.
    const next = epoch ?? this.lastEpoch + 1;
    if (next > this.totalSteps) {
      throw new ValidationError({
        field: `${this.path}.totalSteps`,
        description: `tried to step ${next + 1} times; totalSteps is ${this.totalSteps} (PyTorch raises here too)`,
      });
    }
    super.step(epoch);
  }

  protected getLr(): number[] {
    const stepNum = this.lastEpoch;
    return this.groups.map((group) => {
      let startStep = 0;
      for (const [i, phase] of this.phases.entries()) {
        if (stepNum <= phase.endStep || i === this.phases.length - 1) {
          const span = phase.endStep - startStep;
          // Python raises ZeroDivisionError on a zero-length phase; JavaScript would give NaN.
          if (span === 0) {
            throw new ValidationError({
              field: `${this.path}.pctStart`,
              description: `gives a phase of zero steps at step ${stepNum} (with totalSteps ${this.totalSteps}); PyTorch divides by zero here`,
            });
          }
          const pct = (stepNum - startStep) / span;
          if (this.cycleMomentum)
            group.momentum = this.anneal(group[phase.startMomentum]!, group[phase.endMomentum]!, pct);
          return this.anneal(group[phase.startLr]!, group[phase.endLr]!, pct);
        }
        startStep = phase.endStep;
      }
      throw new Error('unreachable: the last phase always matches');
    });
  }
}

function annealCos(start: number, end: number, pct: number): number {
  const cosOut = Math.cos(Math.PI * pct) + 1;
  return end + ((start - end) / 2.0) * cosOut;
}

function annealLinear(start: number, end: number, pct: number): number {
  return (end - start) * pct + start;
}

function perGroup(value: number | number[], groups: number, field: string): number[] {
  if (!Array.isArray(value)) return new Array<number>(groups).fill(value);
  if (value.length !== groups) {
    throw new ValidationError({
      field,
      description: `needs one value per parameter group (${groups}), got ${value.length}`,
    });
  }
  return value;
}
