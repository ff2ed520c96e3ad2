import { ValidationError, type FieldViolation } from '@athanor/training-core';
import { BUILTIN_DATASETS, isBuiltinName, loadBuiltin, type BuiltinName } from './builtin/builtin-datasets';
import type { Dataset, DatasetInfo } from './dataset';
import { emptyExampleSet, takeExamples, type ExampleSet } from './example-set';
import { loadFileDataset, type FileDatasetOptions } from './file-dataset';
import { concatExamples, seededSplit } from './split';
import { generateSynthetic, SYNTHETIC_DEFAULTS, type SyntheticOptions } from './synthetic';

/** Where the data comes from: the `DatasetSpec.source` oneof. */
export type DatasetSource =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'files'; readonly files: FileDatasetOptions }
  | { readonly kind: 'synthetic'; readonly synthetic: SyntheticOptions };

/** The loading half of `athanor.training.v1.DatasetSpec` (batching options go to BatchLoader). */
export interface DatasetOptions {
  readonly source: DatasetSource;
  /**
   * Share of the training examples held out for validation, in [0, 1), chosen by the seed. Unset:
   * the source's own split (mnist 8,000/2,000, fashion-mnist 60,000/10,000, synthetic's own
   * validation examples, validation files), else 0.1.
   */
  readonly validationSplit?: number;
  /** Keep at most this many training examples (the first after the split); 0 or unset: all. */
  readonly maxTrainExamples?: number;
  /** Keep at most this many validation examples; 0 or unset: all. */
  readonly maxValidationExamples?: number;
}

/** What the environment provides (service configuration and the run), not the request. */
export interface LoadContext {
  /** The run's seed (TrainConfig.seed); it picks a seeded validation split. Default 0. */
  readonly seed?: number;
  /** Root that file datasets must stay inside (ATHANOR_DATA_DIR). Required for file datasets. */
  readonly dataRoot?: string;
  /** Cache directory for converted built-ins. Default `.athanor/cache/datasets` under the working directory. */
  readonly cacheDir?: string;
  /** Override of the packages' directories (tests use fixtures in the packages' format). */
  readonly builtinSourceDirs?: Partial<Record<BuiltinName, string>>;
}

/** The seeded split of `pool` by `validationSplit` (default 0.1 for sources without their own split). */
function applySplit(
  pool: ExampleSet,
  options: DatasetOptions,
  seed: number,
): { train: ExampleSet; validation: ExampleSet; split: DatasetInfo['split'] } {
  const share = options.validationSplit ?? 0.1;
  if (share === 0)
    return { train: pool, validation: emptyExampleSet(pool.exampleShape, pool.features), split: 'seeded' };
  return { ...seededSplit(pool, share, seed), split: 'seeded' };
}

function validateOptions(options: DatasetOptions, seed: number): void {
  const violations: FieldViolation[] = [];
  const split = options.validationSplit;
  if (split !== undefined && !(Number.isFinite(split) && split >= 0 && split < 1)) {
    violations.push({ field: 'validationSplit', description: `must be in [0, 1), got ${split}` });
  }
  for (const field of ['maxTrainExamples', 'maxValidationExamples'] as const) {
    const v = options[field] ?? 0;
    if (!Number.isSafeInteger(v) || v < 0)
      violations.push({ field, description: `must be a non-negative integer, got ${v}` });
  }
  if (!Number.isSafeInteger(seed) || seed < 0)
    violations.push({ field: 'seed', description: `must be a non-negative integer, got ${seed}` });
  if (!options.source || !['name', 'files', 'synthetic'].includes(options.source.kind)) {
    violations.push({ field: 'source', description: 'one of name, files or synthetic is required' });
  }
  if (violations.length > 0) throw new ValidationError(violations);
}

/**
 * Loads a dataset into typed arrays: the source, then the validation split, then the example caps.
 * Built-ins come from the binary cache after their first conversion. Errors are ValidationErrors
 * naming the DatasetSpec field at fault (`files.trainLabelsPath`, `validationSplit`, ...).
 */
export async function loadDataset(options: DatasetOptions, context: LoadContext = {}): Promise<Dataset> {
  const seed = context.seed ?? 0;
  validateOptions(options, seed);
  const started = performance.now();
  const source = options.source;
  let train: ExampleSet;
  let validation: ExampleSet;
  let info: Omit<DatasetInfo, 'trainSize' | 'validationSize' | 'load' | 'exampleShape'>;
  let load: DatasetInfo['load'];

  if (source.kind === 'name' && isBuiltinName(source.name)) {
    const descriptor = BUILTIN_DATASETS[source.name];
    const { data, report } = await loadBuiltin(source.name, {
      cacheDir: context.cacheDir,
      sourceDir: context.builtinSourceDirs?.[source.name],
    });
    let split: DatasetInfo['split'] = 'predefined';
    ({ train, validation } = data);
    if (options.validationSplit !== undefined) {
      // fashion-mnist's test set is a real held-out set: an explicit split comes from its training
      // set only. mnist's 8,000/2,000 is ours, so an explicit split draws from all 10,000.
      const pool = source.name === 'mnist' ? concatExamples(data.train, data.validation) : data.train;
      ({ train, validation, split } = applySplit(pool, options, seed));
    }
    info = {
      name: source.name,
      source: report.sourceDescription,
      numClasses: descriptor.numClasses,
      classNames: descriptor.classNames,
      split,
      skippedRows: data.skippedRows,
      storedScale: descriptor.storedScale,
      defaultScale: descriptor.defaultScale,
    };
    load = { from: report.from, millis: report.millis, cachePath: report.cachePath };
  } else if (source.kind === 'name' && source.name !== 'synthetic') {
    throw new ValidationError({
      field: 'name',
      description: `unknown dataset "${source.name}"; built-in: ${Object.keys(BUILTIN_DATASETS).join(', ')}, synthetic`,
    });
  } else if (source.kind === 'files') {
    const files = await loadFileDataset(source.files, context.dataRoot);
    let split: DatasetInfo['split'] = 'files';
    if (files.validation) {
      if (options.validationSplit !== undefined) {
        throw new ValidationError({
          field: 'validationSplit',
          description: 'must be unset when files.validationPath is given',
        });
      }
      ({ train, validation } = { train: files.train, validation: files.validation });
    } else {
      ({ train, validation, split } = applySplit(files.train, options, seed));
    }
    const isBytes = train.features instanceof Uint8Array;
    info = {
      name: 'files',
      source: files.source,
      numClasses: files.numClasses,
      split,
      skippedRows: 0,
      storedScale: 1,
      defaultScale: isBytes ? 1 / 255 : 1,
    };
    load = { from: 'files', millis: 0 };
  } else {
    const synthetic: SyntheticOptions =
      source.kind === 'synthetic' ? source.synthetic : { exampleShape: SYNTHETIC_DEFAULTS.exampleShape };
    const generated = generateSynthetic(
      options.validationSplit !== undefined ? { ...synthetic, validationExamples: 0 } : synthetic,
    );
    let split: DatasetInfo['split'] = 'predefined';
    ({ train, validation } = generated);
    if (options.validationSplit !== undefined)
      ({ train, validation, split } = applySplit(generated.train, options, seed));
    info = {
      name: 'synthetic',
      source: `synthetic:seed=${synthetic.seed ?? 0}`,
      numClasses: synthetic.numClasses || SYNTHETIC_DEFAULTS.numClasses,
      split,
      skippedRows: 0,
      storedScale: 1,
      defaultScale: 1,
    };
    load = { from: 'generated', millis: 0 };
  }

  train = takeExamples(train, options.maxTrainExamples ?? 0);
  validation = takeExamples(validation, options.maxValidationExamples ?? 0);
  const millis = load.from === 'cache' || load.from === 'source' ? load.millis : performance.now() - started;
  return {
    info: {
      ...info,
      exampleShape: train.exampleShape,
      trainSize: train.size,
      validationSize: validation.size,
      load: { ...load, millis },
    },
    train,
    validation,
  };
}
