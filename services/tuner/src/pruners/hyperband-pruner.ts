import type { Pruner, PrunerContext } from './pruner';
import { prunedByRungs } from './successive-halving-pruner';

export interface HyperbandOptions {
  readonly minResource: number;
  /** 0: inferred from the first completed trial's last step (no pruning until then). */
  readonly maxResource: number;
  readonly reductionFactor: number;
}

/** Trials per bracket as Hyperband budgets them (Li et al. 2017): n_s = ceil((s_max + 1) eta^s / (s + 1)). */
export function bracketBudgets(smax: number, eta: number): number[] {
  return Array.from({ length: smax + 1 }, (_, s) => Math.ceil(((smax + 1) * eta ** s) / (s + 1)));
}

/** The bracket of trial `number`: budgets laid end to end, trial numbers hashed onto them. */
export function bracketOf(number: number, budgets: readonly number[]): number {
  const total = budgets.reduce((a, b) => a + b, 0);
  let h = Math.imul(number + 1, 0x9e3779b1) >>> 0;
  h = ((h ^ (h >>> 16)) >>> 0) % total;
  for (let s = 0; s < budgets.length; s++) {
    if (h < budgets[s]) return s;
    h -= budgets[s];
  }
  return budgets.length - 1;
}

/**
 * Hyperband (Li et al. 2017) as Optuna runs it: s_max + 1 brackets of successive halving with
 * early-stopping rates 0..s_max; each trial belongs to one bracket and competes only within it.
 */
export function hyperbandPruner(o: HyperbandOptions): Pruner {
  return {
    name: 'Hyperband',
    shouldPrune(context: PrunerContext): boolean {
      let max = o.maxResource;
      if (max <= 0) {
        const done = context.trials.find((t) => t.state === 'COMPLETED' && t.points.length > 0);
        if (!done) return false;
        max = done.points[done.points.length - 1].step;
      }
      const smax = Math.max(
        0,
        Math.floor(Math.log(max / o.minResource) / Math.log(o.reductionFactor) + 1e-9),
      );
      const budgets = bracketBudgets(smax, o.reductionFactor);
      const bracket = bracketOf(context.trial.number, budgets);
      const peers = context.trials.filter((t) => bracketOf(t.number, budgets) === bracket);
      return prunedByRungs(
        context,
        {
          minResource: o.minResource,
          reductionFactor: o.reductionFactor,
          minEarlyStoppingRate: bracket,
          synchronous: false,
        },
        peers,
      );
    },
  };
}
