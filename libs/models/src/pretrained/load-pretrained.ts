import type { modelbuilder } from '@athanor/contracts';
import { ValidationError } from '@athanor/training-core';
import * as tf from '@tensorflow/tfjs';
import { readArtifact, type ReadOptions } from '../artifact/artifact-store';
import { CorruptArtifactError } from '../artifact/model-artifact';
import { globMatch } from '@athanor/training-core';

/**
 * Loads pretrained weights into `model`: layer by layer, matched by name; a layer is loaded when the
 * artifact holds every one of its weights with the same shape, otherwise it keeps its fresh
 * initialisation and the report says why. Then freezes the layers matching `frozenLayers`.
 * `strict` turns any missing or mismatched layer into a ValidationError (INVALID_ARGUMENT).
 */
export async function loadPretrained(
  model: tf.LayersModel,
  spec: modelbuilder.PretrainedSpec,
  options: ReadOptions & { readonly field?: string } = {},
): Promise<modelbuilder.PretrainedLoadReport> {
  const artifact = await readArtifact(spec.artifactUri, options);
  let saved: tf.NamedTensorMap;
  try {
    saved = tf.io.decodeWeights(
      artifact.weightData.buffer.slice(
        artifact.weightData.byteOffset,
        artifact.weightData.byteOffset + artifact.weightData.byteLength,
      ) as ArrayBuffer,
      artifact.weightSpecs.map((s) => ({
        name: s.name,
        shape: s.shape.map(Number),
        dtype: s.dtype as 'float32',
      })),
    );
  } catch (err) {
    throw new CorruptArtifactError(
      `${spec.artifactUri}: weights cannot be decoded (${(err as Error).message})`,
    );
  }
  try {
    return applySaved(model, saved, spec, options.field ?? 'init.pretrained');
  } finally {
    tf.dispose(Object.values(saved));
  }
}

function applySaved(
  model: tf.LayersModel,
  saved: tf.NamedTensorMap,
  spec: modelbuilder.PretrainedSpec,
  field: string,
): modelbuilder.PretrainedLoadReport {
  const report: modelbuilder.PretrainedLoadReport = {
    artifactUri: spec.artifactUri,
    loadedLayers: [],
    initializedLayers: [],
    mismatchedLayers: [],
    frozenLayers: [],
    unusedSavedLayers: [],
  };
  const used = new Set<string>();
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    if (spec.excludeLayers.some((p) => globMatch(p, layer.name))) {
      report.initializedLayers.push(layer.name);
      continue;
    }
    const pairs = layer.weights.map((w) => ({
      variable: w,
      tensor: saved[w.originalName],
    }));
    const present = pairs.filter((p) => p.tensor !== undefined);
    if (present.length === 0) {
      report.initializedLayers.push(layer.name);
      continue;
    }
    const bad = pairs.find(
      (p) => p.tensor === undefined || !sameShape(p.tensor.shape, p.variable.shape as number[]),
    );
    present.forEach((p) => used.add(p.variable.originalName));
    if (bad) {
      const found = bad.tensor?.shape ?? [];
      report.mismatchedLayers.push({
        layer: layer.name,
        weight: bad.variable.originalName,
        reason: bad.tensor
          ? `${bad.variable.originalName} shape [${bad.variable.shape.join(',')}] != saved [${found.join(',')}]`
          : `${bad.variable.originalName} is not in the artifact`,
        expectedShape: [...(bad.variable.shape as number[])],
        foundShape: [...found],
      });
      continue;
    }
    for (const p of pairs) p.variable.write(p.tensor);
    report.loadedLayers.push(layer.name);
  }
  const savedLayers = new Set(Object.keys(saved).map(layerOf));
  const usedLayers = new Set([...used].map(layerOf));
  report.unusedSavedLayers = [...savedLayers].filter((l) => !usedLayers.has(l));
  if (spec.strict && (report.mismatchedLayers.length > 0 || report.initializedLayers.length > 0)) {
    throw new ValidationError([
      ...report.mismatchedLayers.map((m) => ({
        field: `${field}.strict`,
        description: `layer ${m.layer}: ${m.reason}`,
      })),
      ...report.initializedLayers.map((l) => ({
        field: `${field}.strict`,
        description: `layer ${l} has no weights in ${spec.artifactUri}`,
      })),
    ]);
  }
  report.frozenLayers = freezeLayers(model, spec.frozenLayers);
  return report;
}

/** Marks the layers whose names match any pattern (globs) not trainable; returns their names. */
export function freezeLayers(model: tf.LayersModel, patterns: readonly string[]): string[] {
  const frozen: string[] = [];
  if (patterns.length === 0) return frozen;
  for (const layer of model.layers) {
    if (layer.weights.length > 0 && patterns.some((p) => globMatch(p, layer.name))) {
      layer.trainable = false;
      frozen.push(layer.name);
    }
  }
  return frozen;
}

// "stage0_block0_conv0/kernel" -> "stage0_block0_conv0" (the layer owning a saved weight).
function layerOf(weightName: string): string {
  return weightName.split('/')[0];
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
