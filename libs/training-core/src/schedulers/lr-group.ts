/**
 * The per-group values a PyTorch scheduler reads and writes in `optimizer.param_groups`. Schedulers
 * here share one array of these, as PyTorch's share one optimizer: that sharing is what makes
 * SequentialLR and ChainedScheduler compose exactly as they do in PyTorch.
 */
export interface LrGroup {
  /** The LR in force for the next optimizer step. */
  lr: number;
  /** PyTorch's `initial_lr`: the base a schedule starts from (set once, by the first scheduler). */
  initialLr?: number;
  /** Written by OneCycleLR when it cycles momentum (SGD's momentum, Adam's beta1). */
  momentum?: number;
  // OneCycleLR keeps its boundaries in the group, as PyTorch does.
  maxLr?: number;
  minLr?: number;
  maxMomentum?: number;
  baseMomentum?: number;
}

export const LR_GROUP_FIELDS = [
  'lr',
  'initialLr',
  'momentum',
  'maxLr',
  'minLr',
  'maxMomentum',
  'baseMomentum',
] as const;
