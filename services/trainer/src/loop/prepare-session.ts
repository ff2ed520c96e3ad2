import { modelbuilder } from '@athanor/contracts';
import { createModel, fromArtifact, readArtifact, seedDropout, summarize } from '@athanor/models';
import type * as tf from '@tensorflow/tfjs';
import type { DataSource } from '../data/data-source';
import { openData } from '../data/open-data';
import type { ModelSource } from '../model-source/remote-model-builder';
import type { ResolvedTrainConfig } from '../run-config/resolve-config';
import { TrainingSession } from './session';

export interface PrepareOptions {
  readonly dataRoot: string;
  readonly cacheDir: string;
  /** Builds models from specs (ATHANOR_MODEL_BUILDER_ADDR); unset: libs/models in this process. */
  readonly modelSource?: ModelSource;
}

/** A model failed to build or load (FailureKind MODEL_ERROR). */
export class ModelBuildError extends Error {
  override readonly name = 'ModelBuildError';
}

/** A dataset failed to load (FailureKind DATA_ERROR). */
export class DataLoadError extends Error {
  override readonly name = 'DataLoadError';
}

export interface PreparedSession {
  readonly session: TrainingSession;
  readonly summary: modelbuilder.ModelSummary | undefined;
}

/** Loads the data, builds (libs/models) and seeds the model and creates the optimizer of a run. */
export async function prepareSession(
  config: ResolvedTrainConfig,
  options: PrepareOptions,
): Promise<TrainingSession> {
  return (await prepareRun(config, options)).session;
}

export async function prepareRun(
  config: ResolvedTrainConfig,
  options: PrepareOptions,
): Promise<PreparedSession> {
  let data: DataSource;
  try {
    data = await openData(config.dataset, { seed: config.seed, batchSize: config.batchSize, ...options });
  } catch (error) {
    throw new DataLoadError(`config.dataset: ${(error as Error).message}`);
  }
  const model = await buildModel(config, data, options.dataRoot, options.modelSource);
  try {
    // Dropout masks follow the run's seed, as the data order does (an InitSpec's own seed fixes only
    // the weights), whether the model was built here or loaded from an artifact.
    seedDropout(model, config.seed);
    let summary: modelbuilder.ModelSummary | undefined;
    try {
      summary = summarize(model);
    } catch {
      summary = undefined; // a summary is a courtesy; never fail a run for it
    }
    return { session: new TrainingSession(model, data, config), summary };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/**
 * The run's model: built from its ModelSpec by libs/models (InitSpec, the run's seed unless the
 * InitSpec names one, pretrained weights), or loaded from a saved artifact.
 */
export async function buildModel(
  config: ResolvedTrainConfig,
  data: Pick<DataSource, 'exampleShape' | 'numClasses'>,
  artifactRoot?: string,
  modelSource?: ModelSource,
): Promise<tf.LayersModel> {
  const source = config.model.source;
  try {
    if (source?.$case === 'artifactUri') {
      const artifact = await readArtifact(source.value, artifactRoot ? { root: artifactRoot } : {});
      return await fromArtifact(artifact);
    }
    if (source?.$case !== 'spec') throw new Error('config.model: is required');
    if (modelSource) {
      // What a local build takes from the data and the run, spelled out, so both builds are identical.
      const spec = modelbuilder.ModelSpec.fromPartial({
        ...source.value,
        inputShape: source.value.inputShape.length > 0 ? source.value.inputShape : [...data.exampleShape],
        numClasses: source.value.numClasses || data.numClasses,
      });
      const init = modelbuilder.InitSpec.fromPartial({
        ...config.init,
        seed: config.init?.seed ?? config.seed,
      });
      return await modelSource.build(spec, init, config.batchSize);
    }
    const created = await createModel(source.value, config.init, {
      seed: config.seed,
      inputShape: data.exampleShape,
      numClasses: data.numClasses,
    });
    return created.model;
  } catch (error) {
    const where = source?.$case === 'artifactUri' ? 'config.model.artifact_uri' : 'config.model.spec';
    const message = (error as Error).message;
    throw new ModelBuildError(message.startsWith('config.') ? message : `${where}: ${message}`);
  }
}
