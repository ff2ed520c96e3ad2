export { checkBatchSize, isPowerOfTwo, proposeBatchSizes } from './batch-size';
export type { BatchSizeOptions } from './batch-size';
export { checkLrScalingInput, scaleLearningRate } from './lr-scaling';
export type { LrScalingInput, ScalingRule } from './lr-scaling';
export { composeWarmup, CONSTANT_SCHEDULE } from './warmup';
export type { Warmup, WarmupComposition } from './warmup';
export { explainScaling } from './explain-scaling';
export type { ScalingExplanation, ScalingInput } from './explain-scaling';
