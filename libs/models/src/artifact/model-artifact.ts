import type { modelbuilder } from '@athanor/contracts';
import * as tf from '@tensorflow/tfjs';
import '../layers';
import { upgradeLegacyDropout } from './legacy-dropout';

/** `generatedBy` of Athanor's artifacts. */
export const GENERATED_BY = `athanor / TensorFlow.js ${tf.version.tfjs}`;

/**
 * Serialises a model as a ModelArtifact: the topology JSON, one weight spec per tensor and all weight
 * bytes in one buffer (tf.io.ModelArtifacts with the weights joined). `metadata` lands in
 * userDefinedMetadata (Athanor stores the ModelSpec and InitSpec there).
 */
export async function toArtifact(
  model: tf.LayersModel,
  metadata: Record<string, unknown> = {},
): Promise<modelbuilder.ModelArtifact> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler((artifacts) => {
      saved = artifacts;
      return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
    }),
  );
  if (!saved?.weightSpecs || saved.weightData === undefined) throw new Error('tfjs saved no weights');
  const data = tf.io.CompositeArrayBuffer.join(saved.weightData);
  return {
    modelTopologyJson: JSON.stringify(saved.modelTopology),
    weightSpecs: saved.weightSpecs.map((s) => ({ name: s.name, shape: [...s.shape], dtype: s.dtype })),
    weightData: Buffer.from(data),
    format: saved.format ?? 'layers-model',
    generatedBy: GENERATED_BY,
    convertedBy: '',
    userDefinedMetadataJson: JSON.stringify(metadata),
  };
}

/** tf.io.ModelArtifacts of a ModelArtifact (for tf.io.fromMemory); throws CorruptArtifactError on bad JSON or sizes. */
export function toTfArtifacts(
  artifact: modelbuilder.ModelArtifact,
  source = 'artifact',
): tf.io.ModelArtifacts {
  let topology: unknown;
  try {
    topology = JSON.parse(artifact.modelTopologyJson);
  } catch (err) {
    throw new CorruptArtifactError(
      `${source}: the model topology is not valid JSON (${(err as Error).message})`,
    );
  }
  const weightSpecs = artifact.weightSpecs.map((s) => ({
    name: s.name,
    shape: s.shape.map(Number),
    dtype: s.dtype as 'float32' | 'int32' | 'bool',
  }));
  const expected = weightSpecs.reduce((a, s) => a + 4 * s.shape.reduce((x, y) => x * y, 1), 0);
  if (artifact.weightData.byteLength !== expected) {
    throw new CorruptArtifactError(
      `${source}: the weights hold ${artifact.weightData.byteLength} bytes, the weight specs need ${expected}`,
    );
  }
  const bytes = artifact.weightData;
  // A standalone ArrayBuffer (a Buffer may be a view into a larger pool).
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return {
    modelTopology: topology as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs,
    weightData,
    format: artifact.format || 'layers-model',
    generatedBy: artifact.generatedBy,
    convertedBy: artifact.convertedBy || null,
    ...(artifact.userDefinedMetadataJson
      ? { userDefinedMetadata: safeJson(artifact.userDefinedMetadataJson) }
      : {}),
  };
}

/**
 * Loads a ModelArtifact back into a tf.LayersModel (in memory; Athanor's custom layers registered;
 * tfjs Dropout layers of older artifacts become AthanorDropout). Its dropout is unseeded until
 * `seedDropout(model, seed)`.
 */
export async function fromArtifact(artifact: modelbuilder.ModelArtifact): Promise<tf.LayersModel> {
  const tfArtifacts = toTfArtifacts(artifact);
  const modelTopology = upgradeLegacyDropout(
    tfArtifacts.modelTopology,
  ) as tf.io.ModelArtifacts['modelTopology'];
  return tf.loadLayersModel(tf.io.fromMemory({ ...tfArtifacts, modelTopology }));
}

/** A checkpoint or artifact that cannot be read (missing pieces, bad JSON, wrong sizes). */
export class CorruptArtifactError extends Error {
  override readonly name = 'CorruptArtifactError';
}

/** A checkpoint or artifact that is not there (no file, HTTP 404). */
export class ArtifactNotFoundError extends Error {
  override readonly name = 'ArtifactNotFoundError';
}

function safeJson(text: string): { [key: string]: object } | undefined {
  try {
    return JSON.parse(text) as { [key: string]: object };
  } catch {
    return undefined;
  }
}
