export { gradStats } from './grad-stats';
export type { GradStats, LayerGradStats } from './grad-stats';
export { DEFAULT_GRAD_THRESHOLDS } from './thresholds';
export type { GradThresholds } from './thresholds';
export { clipGradNorm, clipGradValue, NonFiniteGradientError } from './clip-grad';
export type { ClippedGrads } from './clip-grad';
