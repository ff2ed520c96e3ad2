import { ChainableScheduler } from './chainable-scheduler';
import { ChainedScheduler } from './chained-scheduler';
import { ConstantLr } from './constant-lr';
import { CosineAnnealingLr } from './cosine-annealing-lr';
import { CosineAnnealingWarmRestarts } from './cosine-annealing-warm-restarts';
import { ExponentialLr } from './exponential-lr';
import { LambdaLr } from './lambda-lr';
import { LinearLr } from './linear-lr';
import type { LrGroup } from './lr-group';
import { MultiStepLr } from './multi-step-lr';
import { OneCycleLr } from './one-cycle-lr';
import { PolynomialLr } from './polynomial-lr';
import { ReduceLrOnPlateau } from './reduce-lr-on-plateau';
import type { SchedulerConfig } from './scheduler-spec';
import { SequentialLr } from './sequential-lr';
import { StepLr } from './step-lr';
import type { TorchScheduler } from './torch-scheduler';

/**
 * Constructs the PyTorch-mirroring scheduler for a validated config on the shared groups, children
 * first and in order, exactly as the equivalent Python would (construction order changes LRs).
 */
export function buildScheduler(
  config: SchedulerConfig,
  groups: LrGroup[],
  path: string,
): TorchScheduler | ReduceLrOnPlateau {
  const at = `${path}.${config.kind}`;
  switch (config.kind) {
    case 'step':
      return new StepLr(groups, config.stepSize, config.gamma);
    case 'multiStep':
      return new MultiStepLr(groups, config.milestones, config.gamma);
    case 'exponential':
      return new ExponentialLr(groups, config.gamma);
    case 'cosineAnnealing':
      return new CosineAnnealingLr(groups, config.tMax, config.etaMin);
    case 'cosineAnnealingWarmRestarts':
      return new CosineAnnealingWarmRestarts(groups, config.t0, config.tMult, config.etaMin);
    case 'reduceOnPlateau':
      return new ReduceLrOnPlateau(groups, config, at);
    case 'lambda':
      return new LambdaLr(groups, config.expression, `${at}.expression`);
    case 'linear':
      return new LinearLr(groups, config.startFactor, config.endFactor, config.totalIters);
    case 'constant':
      return new ConstantLr(groups, config.factor, config.totalIters);
    case 'polynomial':
      return new PolynomialLr(groups, config.totalIters, config.power);
    case 'oneCycle':
      return new OneCycleLr(groups, config, at);
    case 'sequential': {
      const children = buildChildren(config.schedulers, groups, at).map((child) => {
        // parseSchedulerSpec admits only chainable kinds inside sequential.
        if (!(child instanceof ChainableScheduler)) throw new Error('sequential child is not chainable');
        return child;
      });
      return new SequentialLr(groups, children, config.milestones);
    }
    case 'chained':
      return new ChainedScheduler(
        buildChildren(config.schedulers, groups, at).map((child) => {
          if (child instanceof ReduceLrOnPlateau) throw new Error('chained child needs a metric');
          return child;
        }),
      );
  }
}

function buildChildren(
  children: readonly SchedulerConfig[],
  groups: LrGroup[],
  at: string,
): (TorchScheduler | ReduceLrOnPlateau)[] {
  return children.map((child, i) => buildScheduler(child, groups, `${at}.schedulers[${i}]`));
}
