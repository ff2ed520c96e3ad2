import { lossAtOrAfter, type Pruner, type PrunerContext, type PrunerTrial } from './pruner';

export interface SuccessiveHalvingOptions {
  /** Resource (step) of rung 0 before the early-stopping rate. Default 1. */
  readonly minResource: number;
  /** Keep the best 1/reduction_factor at each rung. Default 4 (Optuna's). */
  readonly reductionFactor: number;
  /** s: rung k sits at min_resource * reduction_factor^(s + k). Default 0. */
  readonly minEarlyStoppingRate: number;
  /**
   * Synchronous successive halving decides a rung only once reduction_factor trials reached it
   * (earlier arrivals continue); ASHA decides at once against whoever is there (Li et al. 2020).
   */
  readonly synchronous: boolean;
}

/** Rung resources min_resource * eta^(s + k) up to `step`. */
export function rungResources(o: SuccessiveHalvingOptions, step: number): number[] {
  const out: number[] = [];
  for (let k = 0; ; k++) {
    const r = o.minResource * o.reductionFactor ** (o.minEarlyStoppingRate + k);
    if (r > step || out.length > 64) return out;
    out.push(r);
  }
}

/**
 * Whether `trial`, reaching each rung with this report, ranks in the top 1/eta of the trials that
 * reached that rung. Following Optuna's SuccessiveHalvingPruner, a rung with fewer than eta
 * entries promotes only the best so far (trials cannot be paused and resumed later).
 */
export function prunedByRungs(
  context: PrunerContext,
  o: SuccessiveHalvingOptions,
  peers: readonly PrunerTrial[],
): boolean {
  const { trial, step } = context;
  for (const r of rungResources(o, step)) {
    const mine = lossAtOrAfter(trial, r);
    // Only the rung this very report reaches is decided; earlier rungs were decided when reached.
    if (!mine || mine.step !== step) continue;
    const competing = peers.map((t) => lossAtOrAfter(t, r)?.loss).filter((x): x is number => x !== undefined);
    if (o.synchronous && competing.length < o.reductionFactor) continue;
    competing.sort((a, b) => a - b);
    const k = Math.max(0, Math.floor(competing.length / o.reductionFactor) - 1);
    if (mine.loss > competing[k]) return true;
  }
  return false;
}

export function successiveHalvingPruner(o: SuccessiveHalvingOptions): Pruner {
  return {
    name: o.synchronous ? 'successive halving' : 'ASHA',
    shouldPrune: (context) => prunedByRungs(context, o, context.trials),
  };
}
