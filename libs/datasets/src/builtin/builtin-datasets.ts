import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { convertFashionMnist, FASHION_MNIST_CLASS_NAMES } from './fashion-mnist';
import { convertMnist } from './mnist';
import { readBinaryCache, writeBinaryCache, type CacheMiss } from './binary-cache';
import { fromSections, toSections, type ConvertedBuiltin } from './converted-builtin';

/** Names accepted as `DatasetSpec.name` besides "synthetic". */
export type BuiltinName = 'mnist' | 'fashion-mnist';

/** Bump when a converter's output changes (order, split, format): old caches become stale. */
const CONVERTER_VERSION = 1;

export interface BuiltinDescriptor {
  readonly name: BuiltinName;
  readonly packageName: string;
  readonly exampleShape: readonly number[];
  readonly numClasses: number;
  readonly classNames?: readonly string[];
  /** Multiplies the cached bytes into the package's own values (mnist's 0..1; fashion's 0..255). */
  readonly storedScale: number;
  /** The default `scale` of SCALE/STANDARDIZE normalisation, bringing values into [0, 1]. */
  readonly defaultScale: number;
  readonly splitDescription: string;
  readonly convert: (sourceDir: string) => Promise<ConvertedBuiltin>;
  /** Source files whose sizes go into the cache key. */
  readonly sourceFiles: readonly string[];
}

const tenFiles = (dir: string): string[] => Array.from({ length: 10 }, (_, c) => `src/${dir}/${c}.json`);

export const BUILTIN_DATASETS: Readonly<Record<BuiltinName, BuiltinDescriptor>> = {
  mnist: {
    name: 'mnist',
    packageName: 'mnist',
    exampleShape: [28, 28, 1],
    numClasses: 10,
    storedScale: 1 / 255,
    defaultScale: 1,
    splitDescription: '10,000 digits in a fixed order: first 8,000 train, last 2,000 validation',
    convert: convertMnist,
    sourceFiles: tenFiles('digits'),
  },
  'fashion-mnist': {
    name: 'fashion-mnist',
    packageName: 'fashion-mnist',
    exampleShape: [28, 28, 1],
    numClasses: 10,
    classNames: FASHION_MNIST_CLASS_NAMES,
    storedScale: 1,
    defaultScale: 1 / 255,
    splitDescription: 'original split: 60,000 train, 10,000 test used as validation',
    convert: convertFashionMnist,
    sourceFiles: tenFiles('clothes'),
  },
};

export function isBuiltinName(name: string): name is BuiltinName {
  return Object.prototype.hasOwnProperty.call(BUILTIN_DATASETS, name);
}

/** Where the cache goes when no directory is configured (relative to the working directory). */
export const DEFAULT_CACHE_DIR = path.join('.athanor', 'cache', 'datasets');

export interface BuiltinLoadOptions {
  /** Cache directory. Default `DEFAULT_CACHE_DIR` under the working directory. */
  readonly cacheDir?: string;
  /** The package's directory; default resolved from node_modules (tests point it at fixtures). */
  readonly sourceDir?: string;
}

export interface BuiltinLoadReport {
  /** `cache`: read the binary cache; `source`: parsed the package's JSON (and wrote the cache). */
  readonly from: 'cache' | 'source';
  /** Why the cache was not used, when it was not. */
  readonly cacheMiss?: CacheMiss;
  readonly cachePath: string;
  readonly millis: number;
  readonly sourceDescription: string;
}

function packageDir(packageName: string): string {
  return path.dirname(require.resolve(`${packageName}/package.json`));
}

/**
 * Loads a built-in dataset, from the binary cache when it is valid, else by converting the
 * package's JSON and writing the cache (atomically) for next time.
 */
export async function loadBuiltin(
  name: BuiltinName,
  options: BuiltinLoadOptions = {},
): Promise<{ data: ConvertedBuiltin; report: BuiltinLoadReport }> {
  const started = performance.now();
  const descriptor = BUILTIN_DATASETS[name];
  const sourceDir = options.sourceDir ?? packageDir(descriptor.packageName);
  let version = 'unknown';
  try {
    version =
      (JSON.parse(readFileSync(path.join(sourceDir, 'package.json'), 'utf8')) as { version?: string })
        .version ?? version;
  } catch {
    // Fixture directories have no package.json; the file sizes still key the cache.
  }
  const key = {
    dataset: name,
    converter: CONVERTER_VERSION,
    package: `${descriptor.packageName}@${version}`,
    sourceBytes: descriptor.sourceFiles.map((f) => statSync(path.join(sourceDir, f)).size),
  };
  const cachePath = path.resolve(options.cacheDir ?? DEFAULT_CACHE_DIR, `${name}.v${CONVERTER_VERSION}.bin`);
  const sourceDescription = `npm:${descriptor.packageName}@${version}`;
  const cached = await readBinaryCache(cachePath, key);
  let cacheMiss: CacheMiss | undefined;
  if ('sections' in cached) {
    const data = fromSections(cached.sections, descriptor.exampleShape);
    if (data) {
      return {
        data,
        report: { from: 'cache', cachePath, millis: performance.now() - started, sourceDescription },
      };
    }
    cacheMiss = 'truncated';
  } else {
    cacheMiss = cached.miss;
  }
  const data = await descriptor.convert(sourceDir);
  await writeBinaryCache(cachePath, key, toSections(data));
  return {
    data,
    report: { from: 'source', cacheMiss, cachePath, millis: performance.now() - started, sourceDescription },
  };
}
