import type { modelbuilder } from '@athanor/contracts';
import type { ModelBuilderConfig } from './config';

const MIB = 2 ** 20;

/** Why a model is beyond the configured budget (undefined when it fits). Checked on plans, before allocating. */
export function budgetExcess(
  summary: modelbuilder.ModelSummary,
  config: Pick<ModelBuilderConfig, 'maxParameters' | 'maxTrainingMemoryMb'>,
): string | undefined {
  if (summary.totalParams > config.maxParameters) {
    return `the model has ${summary.totalParams} parameters, above the limit of ${config.maxParameters} (ATHANOR_MAX_PARAMETERS)`;
  }
  const mib = summary.estimatedTrainingMemoryBytes / MIB;
  if (mib > config.maxTrainingMemoryMb) {
    return `training at batch ${summary.memoryEstimateBatchSize} needs about ${Math.ceil(mib)} MiB, above the limit of ${config.maxTrainingMemoryMb} MiB (ATHANOR_MAX_TRAINING_MEMORY_MB)`;
  }
  return undefined;
}
