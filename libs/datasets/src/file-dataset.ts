import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ValidationError } from '@athanor/training-core';
import { resolveDataPath } from './data-root';
import { exampleSizeOf, type ExampleSet } from './example-set';
import { parseCsv } from './formats/csv';
import { parseIdx } from './formats/idx';
import { parseNpy } from './formats/npy';
import { toFeatures, toLabels, type NumericArray } from './formats/numeric-array';

export type FileFormat = 'idx' | 'csv' | 'npy';

/** Mirrors `athanor.training.v1.FileDataset`; empty strings, 0 and [] mean "default" as in proto3. */
export interface FileDatasetOptions {
  readonly format: FileFormat;
  /** Training features (IDX, NPY) or the whole training table (CSV), relative to the data root. */
  readonly trainPath: string;
  /** Training labels (IDX, NPY); unused for CSV. */
  readonly trainLabelsPath?: string;
  /** Validation features/table; when empty the validation split is used instead. */
  readonly validationPath?: string;
  /** Validation labels (IDX, NPY). */
  readonly validationLabelsPath?: string;
  /** CSV: label column by header name or zero-based index. Default: the last column. */
  readonly labelColumn?: string;
  /** CSV: the first row is a header. Default true. */
  readonly hasHeader?: boolean;
  /** Shape of one example; default the file's own (IDX/NPY: all but the first dimension) or [features] (CSV). */
  readonly exampleShape?: readonly number[];
  /** Number of classes; default max(label) + 1. */
  readonly numClasses?: number;
}

export interface LoadedFiles {
  readonly train: ExampleSet;
  readonly validation: ExampleSet | null;
  readonly numClasses: number;
  readonly source: string;
}

async function readArray(
  format: 'idx' | 'npy',
  dataRoot: string,
  relative: string,
  field: string,
): Promise<NumericArray> {
  const bytes = await readFile(resolveDataPath(dataRoot, relative, field));
  return format === 'idx' ? parseIdx(bytes, field) : parseNpy(bytes, field);
}

async function loadSplit(
  options: FileDatasetOptions,
  dataRoot: string,
  which: 'train' | 'validation',
): Promise<{ features: ExampleSet['features']; labels: Int32Array; shape: readonly number[]; size: number }> {
  const featuresField = `files.${which}Path`;
  const labelsField = `files.${which}LabelsPath`;
  const featuresPath = which === 'train' ? options.trainPath : (options.validationPath ?? '');
  if (options.format === 'csv') {
    const text = await readFile(resolveDataPath(dataRoot, featuresPath, featuresField), 'utf8');
    const table = parseCsv(
      text,
      { labelColumn: options.labelColumn, hasHeader: options.hasHeader },
      featuresField,
    );
    return { features: table.features, labels: table.labels, shape: [table.featureCount], size: table.rows };
  }
  const labelsPath = (which === 'train' ? options.trainLabelsPath : options.validationLabelsPath) ?? '';
  if (labelsPath === '') {
    throw new ValidationError({
      field: labelsField,
      description: `required for ${options.format.toUpperCase()} files`,
    });
  }
  const features = await readArray(options.format, dataRoot, featuresPath, featuresField);
  const labels = await readArray(options.format, dataRoot, labelsPath, labelsField);
  const n = features.shape[0];
  if (labels.shape.length !== 1) {
    throw new ValidationError({
      field: labelsField,
      description: `labels must be one-dimensional, got shape [${labels.shape.join(', ')}]`,
    });
  }
  if (labels.shape[0] !== n) {
    throw new ValidationError({
      field: labelsField,
      description: `${labels.shape[0]} labels, but ${featuresField} holds ${n} examples`,
    });
  }
  const shape = features.shape.length > 1 ? features.shape.slice(1) : [1];
  return { features: toFeatures(features), labels: toLabels(labels.data, labelsField), shape, size: n };
}

/**
 * Reads a file dataset under `dataRoot`. Every path is checked to stay inside the root (see
 * resolveDataPath). Errors name the option at fault: a missing or escaping file its path field, a
 * label count that disagrees its labels field, an example shape that does not fit `files.exampleShape`.
 */
export async function loadFileDataset(
  options: FileDatasetOptions,
  dataRoot: string | undefined,
): Promise<LoadedFiles> {
  if (!dataRoot)
    throw new ValidationError({
      field: 'dataRoot',
      description: 'file datasets need a configured data root',
    });
  if (!['idx', 'csv', 'npy'].includes(options.format)) {
    throw new ValidationError({
      field: 'files.format',
      description: `must be idx, csv or npy, got ${String(options.format)}`,
    });
  }
  const train = await loadSplit(options, dataRoot, 'train');
  const hasValidation = (options.validationPath ?? '') !== '';
  const validation = hasValidation ? await loadSplit(options, dataRoot, 'validation') : null;

  let shape = train.shape;
  const requested = options.exampleShape ?? [];
  if (requested.length > 0) {
    if (!requested.every((d) => Number.isInteger(d) && d > 0)) {
      throw new ValidationError({
        field: 'files.exampleShape',
        description: `must be positive integers, got [${requested.join(', ')}]`,
      });
    }
    if (exampleSizeOf(requested) !== exampleSizeOf(train.shape)) {
      throw new ValidationError({
        field: 'files.exampleShape',
        description: `[${requested.join(', ')}] has ${exampleSizeOf(requested)} values, but each example in files.trainPath has ${exampleSizeOf(train.shape)} (shape [${train.shape.join(', ')}])`,
      });
    }
    shape = [...requested];
  }
  if (validation && exampleSizeOf(validation.shape) !== exampleSizeOf(shape)) {
    throw new ValidationError({
      field: 'files.validationPath',
      description: `examples have shape [${validation.shape.join(', ')}], the training examples [${train.shape.join(', ')}]`,
    });
  }
  let maxLabel = -1;
  for (const y of train.labels) maxLabel = Math.max(maxLabel, y);
  for (const y of validation?.labels ?? []) maxLabel = Math.max(maxLabel, y);
  const numClasses = options.numClasses || maxLabel + 1;
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new ValidationError({
      field: 'files.numClasses',
      description: `must be a positive integer, got ${numClasses}`,
    });
  }
  if (maxLabel >= numClasses) {
    throw new ValidationError({
      field: 'files.numClasses',
      description: `is ${numClasses}, but the files hold label ${maxLabel}`,
    });
  }
  const asSet = (s: typeof train): ExampleSet => ({
    features: s.features,
    labels: s.labels,
    exampleShape: shape,
    size: s.size,
  });
  const names = [
    options.trainPath,
    options.trainLabelsPath,
    options.validationPath,
    options.validationLabelsPath,
  ].filter((p): p is string => !!p);
  return {
    train: asSet(train),
    validation: validation ? asSet(validation) : null,
    numClasses,
    source: `${options.format}:${names.map((p) => path.normalize(p)).join(',')}`,
  };
}
