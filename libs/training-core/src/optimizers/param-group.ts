import type * as tf from '@tensorflow/tfjs-core';

/**
 * What every parameter group carries, as in PyTorch's `optimizer.param_groups[i]`. The fields are
 * mutable on purpose: a scheduler writes `lr` (and momentum/betas) before every step.
 */
export interface BaseParamGroup {
  /** A label for logs and metrics (default `group<i>`). */
  readonly name: string;
  readonly variables: readonly tf.Variable[];
  /** The learning rate used by the next step. */
  lr: number;
  /** The LR a schedule starts from (PyTorch's `initial_lr`); defaults to the group's first lr. */
  initialLr: number;
  /** L2 penalty (coupled) or, for AdamW, decoupled decay factor. */
  weightDecay: number;
}

/**
 * One group as the caller describes it: its variables and any hyperparameters that differ from
 * the optimizer's defaults (PyTorch's per-group dict overrides).
 */
export type ParamGroupSpec<H extends object = object> = {
  readonly variables: readonly tf.Variable[];
  readonly name?: string;
  readonly lr?: number;
  readonly initialLr?: number;
  readonly weightDecay?: number;
} & Partial<H>;

/** Variables alone (one group with the defaults) or a list of groups. */
export type OptimizerParams<H extends object = object> =
  readonly tf.Variable[] | readonly ParamGroupSpec<H>[];
