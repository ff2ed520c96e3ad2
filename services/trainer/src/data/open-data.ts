import { training } from '@athanor/contracts';
import {
  BatchLoader,
  type Dataset,
  type DatasetSource,
  type DatasetInfo,
  loadDataset,
  resolveNormalization,
  type ResolvedNormalization,
} from '@athanor/datasets';
import type { DataSource, HostBatch } from './data-source';

export interface OpenDataOptions {
  readonly seed: number;
  readonly batchSize: number;
  readonly dataRoot: string;
  readonly cacheDir: string;
}

/** A run's data: libs/datasets' loading, normalisation, shuffling and augmentation behind DataSource. */
export class DatasetsSource implements DataSource {
  readonly exampleShape: readonly number[];
  readonly numClasses: number;
  readonly trainSize: number;
  readonly validationSize: number;
  private readonly train: BatchLoader;
  private readonly validation = new Map<number, BatchLoader>();

  constructor(
    readonly dataset: Dataset,
    private readonly normalization: ResolvedNormalization,
    spec: training.DatasetSpec,
    options: OpenDataOptions,
  ) {
    this.exampleShape = dataset.info.exampleShape;
    this.numClasses = dataset.info.numClasses;
    this.trainSize = dataset.train.size;
    this.validationSize = dataset.validation.size;
    const aug = spec.augmentation;
    this.train = new BatchLoader(dataset.train, {
      batchSize: options.batchSize,
      normalization,
      seed: options.seed,
      shuffle: spec.shuffle ?? true,
      dropLast: spec.dropLast,
      ...(aug !== undefined && (aug.randomCrop !== undefined || aug.horizontalFlip)
        ? {
            augmentation: {
              ...(aug.randomCrop ? { randomCrop: { padding: aug.randomCrop.padding } } : {}),
              horizontalFlip: aug.horizontalFlip,
              ...(aug.horizontalFlipProbability !== undefined
                ? { horizontalFlipProbability: aug.horizontalFlipProbability }
                : {}),
            },
          }
        : {}),
    });
  }

  get info(): DatasetInfo {
    return this.dataset.info;
  }

  trainBatch(epoch: number, batchIndex: number, batchSize: number): HostBatch {
    if (batchSize !== this.train.batchSize)
      throw new Error(`batch size ${batchSize} differs from the loader's ${this.train.batchSize}`);
    const b = this.train.batch({ epoch, batchIndex });
    return { x: b.x, y: b.y, size: b.size };
  }

  validationBatch(index: number, size: number): HostBatch {
    let loader = this.validation.get(size);
    if (loader === undefined) {
      loader = new BatchLoader(this.dataset.validation, {
        batchSize: size,
        normalization: this.normalization,
        shuffle: false,
      });
      this.validation.set(size, loader);
    }
    const b = loader.batch({ epoch: 0, batchIndex: index });
    return { x: b.x, y: b.y, size: b.size };
  }
}

/** DatasetSpec -> libs/datasets options (the same field names, camelCase). */
export function datasetSourceOf(spec: training.DatasetSpec): DatasetSource {
  const s = spec.source;
  if (s?.$case === 'files') {
    const f = s.value;
    const format =
      f.format === training.FileFormat.FILE_FORMAT_IDX
        ? 'idx'
        : f.format === training.FileFormat.FILE_FORMAT_CSV
          ? 'csv'
          : 'npy';
    return {
      kind: 'files',
      files: {
        format,
        trainPath: f.trainPath,
        ...(f.trainLabelsPath ? { trainLabelsPath: f.trainLabelsPath } : {}),
        ...(f.validationPath ? { validationPath: f.validationPath } : {}),
        ...(f.validationLabelsPath ? { validationLabelsPath: f.validationLabelsPath } : {}),
        ...(f.labelColumn ? { labelColumn: f.labelColumn } : {}),
        ...(f.hasHeader !== undefined ? { hasHeader: f.hasHeader } : {}),
        ...(f.exampleShape.length > 0 ? { exampleShape: f.exampleShape } : {}),
        ...(f.numClasses > 0 ? { numClasses: f.numClasses } : {}),
      },
    };
  }
  if (s?.$case === 'synthetic') {
    const y = s.value;
    return {
      kind: 'synthetic',
      synthetic: {
        exampleShape: y.exampleShape,
        ...(y.numClasses !== undefined ? { numClasses: y.numClasses } : {}),
        ...(y.trainExamples !== undefined ? { trainExamples: y.trainExamples } : {}),
        ...(y.validationExamples !== undefined ? { validationExamples: y.validationExamples } : {}),
        seed: y.seed,
        labelNoise: y.labelNoise,
      },
    };
  }
  return { kind: 'name', name: s?.value ?? '' };
}

/** Loads the data of a run (built-ins from the binary cache after their first conversion). */
export async function openData(
  spec: training.DatasetSpec,
  options: OpenDataOptions,
): Promise<DatasetsSource> {
  const dataset = await loadDataset(
    {
      source: datasetSourceOf(spec),
      ...(spec.validationSplit !== undefined ? { validationSplit: spec.validationSplit } : {}),
      maxTrainExamples: spec.maxTrainExamples,
      maxValidationExamples: spec.maxValidationExamples,
    },
    { seed: options.seed, dataRoot: options.dataRoot, cacheDir: options.cacheDir },
  );
  const n = spec.normalization;
  const kind =
    n === undefined || n.kind <= training.NormalizationKind.NORMALIZATION_KIND_NONE
      ? 'none'
      : n.kind === training.NormalizationKind.NORMALIZATION_KIND_SCALE
        ? 'scale'
        : 'standardize';
  const normalization = resolveNormalization(
    { kind, ...(n?.scale !== undefined ? { scale: n.scale } : {}), mean: n?.mean ?? [], std: n?.std ?? [] },
    dataset,
  );
  return new DatasetsSource(dataset, normalization, spec, options);
}
