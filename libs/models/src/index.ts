// ModelSpec -> tf.LayersModel: architectures, custom layers, initialisation, serialisation,
// pretrained weights and initialisation diagnostics. Importing it registers the custom layers.
export * from './layers';
export * from './dropout';
export * from './plan';
export type * from './spec/types';
export {
  buildFromPlan,
  buildModel,
  type BuildOptions,
  checkInit,
  createModel,
  type CreatedModel,
  layerNamesOf,
  resolveSeed,
} from './build/build-model';
export { modelFromPlan } from './build/build-from-plan';
export { initializeWeights } from './init/initialize-weights';
export { validateInitSpec } from './init/validate-init-spec';
export { layerFlops, type FlopsInput } from './summary/flops';
export {
  DEFAULT_SUMMARY_BATCH,
  summarize,
  summarizePlan,
  type SummaryOptions,
  trainingMemoryBytes,
} from './summary/summarize';
export {
  ArtifactNotFoundError,
  CorruptArtifactError,
  fromArtifact,
  GENERATED_BY,
  toArtifact,
  toTfArtifacts,
} from './artifact/model-artifact';
export { readArtifact, type ReadOptions, writeArtifact } from './artifact/artifact-store';
export { freezeLayers, loadPretrained } from './pretrained/load-pretrained';
export {
  EXPLODING_GRADIENT,
  type InitCandidate,
  inspectInitialization,
  inspectModel,
  type InspectOptions,
  VANISHING_GRADIENT,
} from './diagnostics/inspect-initialization';
export { randomBatch, type RandomSampleOptions } from './diagnostics/sample-batch';
export { activeBackend } from './build/active-backend';
