import type { Pruner, PrunerContext } from './pruner';

export interface MedianOptions {
  /** Completed trials needed before pruning starts. Default 5. */
  readonly nStartupTrials: number;
  /** Steps of a trial before it can be pruned. Default 0. */
  readonly nWarmupSteps: number;
  /** Check only every N steps after the warm-up. Default 1. */
  readonly intervalSteps: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Median stopping rule (Golovin et al. 2017, Google Vizier; Optuna's MedianPruner): stop a trial
 * whose best value so far is worse than the median of the completed trials' values at the same step.
 */
export function medianPruner(options: MedianOptions): Pruner {
  return {
    name: 'median stopping rule',
    shouldPrune({ trial, step, trials }: PrunerContext): boolean {
      const completed = trials.filter((t) => t.state === 'COMPLETED' && t.id !== trial.id);
      if (completed.length < options.nStartupTrials) return false;
      if (step < options.nWarmupSteps) return false;
      if ((step - options.nWarmupSteps) % options.intervalSteps !== 0) return false;
      const atStep = completed.flatMap((t) => t.points.filter((p) => p.step === step).map((p) => p.loss));
      if (atStep.length === 0) return false;
      const best = Math.min(...trial.points.filter((p) => p.step <= step).map((p) => p.loss));
      return best > median(atStep);
    },
  };
}
