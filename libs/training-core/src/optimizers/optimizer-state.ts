/** One slot (e.g. Adam's `expAvg`) as host data, for checkpoints. */
export interface SlotState {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** The state PyTorch keeps per parameter: its own step count and its slots. */
export interface VariableState {
  readonly step: number;
  readonly slots: Readonly<Record<string, SlotState>>;
}

/**
 * Everything needed to continue training with the same optimizer trajectory (PyTorch's
 * `optimizer.state_dict()`): hyperparameters per group (the LR a scheduler last wrote included),
 * and per-variable state keyed by variable name.
 */
export interface OptimizerState {
  readonly kind: string;
  /** Number of `step()` calls made. */
  readonly stepCount: number;
  /** Per group, its hyperparameters (no variables), in group order. */
  readonly groups: readonly Readonly<Record<string, unknown>>[];
  readonly variables: Readonly<Record<string, VariableState>>;
}
