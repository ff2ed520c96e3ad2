import { BUILTIN_DATASETS, isBuiltinName } from './builtin/builtin-datasets';
import type { Dataset, DatasetInfo } from './dataset';
import { classCounts } from './example-set';

export interface DatasetDescription extends DatasetInfo {
  /** Examples per class, by label, in each split. */
  readonly trainClassCounts: readonly number[];
  readonly validationClassCounts: readonly number[];
}

/** Everything known about a loaded dataset, including per-class counts (for logs and `GetRun`). */
export function describeDataset(dataset: Dataset): DatasetDescription {
  return {
    ...dataset.info,
    trainClassCounts: classCounts(dataset.train, dataset.info.numClasses),
    validationClassCounts: classCounts(dataset.validation, dataset.info.numClasses),
  };
}

/** What a built-in dataset is, without loading it (e.g. to check a model's input shape early). */
export function describeBuiltin(name: string): {
  exampleShape: readonly number[];
  numClasses: number;
  classNames?: readonly string[];
  split: string;
} | null {
  if (!isBuiltinName(name)) return null;
  const d = BUILTIN_DATASETS[name];
  return {
    exampleShape: d.exampleShape,
    numClasses: d.numClasses,
    classNames: d.classNames,
    split: d.splitDescription,
  };
}
