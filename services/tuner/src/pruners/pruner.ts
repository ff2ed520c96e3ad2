/** One trial's intermediate values as a pruner sees them: losses (lower is better), by step. */
export interface PrunerTrial {
  readonly id: string;
  readonly number: number;
  readonly state: 'QUEUED' | 'RUNNING' | 'PRUNED' | 'COMPLETED' | 'FAILED' | 'INFEASIBLE';
  /** Sorted by step; maximised objectives are negated by the caller. */
  readonly points: readonly { readonly step: number; readonly loss: number }[];
}

export interface PrunerContext {
  /** The trial that just reported (its newest point included in `points`). */
  readonly trial: PrunerTrial;
  readonly step: number;
  /** Every trial of the study, the reporting one included. */
  readonly trials: readonly PrunerTrial[];
}

export interface Pruner {
  /** Name shown in events ("pruned at step 500 by ASHA"). */
  readonly name: string;
  shouldPrune(context: PrunerContext): boolean;
}

/** The loss a trial reported at the first step >= `step` (what it carried into a rung), if any. */
export function lossAtOrAfter(trial: PrunerTrial, step: number): { step: number; loss: number } | undefined {
  return trial.points.find((p) => p.step >= step);
}

export const NO_PRUNING: Pruner = { name: 'none', shouldPrune: () => false };
