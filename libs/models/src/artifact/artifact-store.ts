import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { modelbuilder } from '@athanor/contracts';
import { ArtifactNotFoundError, CorruptArtifactError } from './model-artifact';

const WEIGHTS_FILE = 'weights.bin';

/**
 * Writes an artifact as tfjs's on-disk layout: `model.json` (topology + weightsManifest) and
 * `weights.bin` in `dir`, so tf.loadLayersModel('file://.../model.json') (tfjs-node) or
 * `readArtifact` reads it. Returns the model.json path.
 */
export async function writeArtifact(dir: string, artifact: modelbuilder.ModelArtifact): Promise<string> {
  await mkdir(dir, { recursive: true });
  const modelJson = {
    modelTopology: JSON.parse(artifact.modelTopologyJson) as unknown,
    format: artifact.format || 'layers-model',
    generatedBy: artifact.generatedBy,
    convertedBy: artifact.convertedBy || null,
    weightsManifest: [
      {
        paths: [WEIGHTS_FILE],
        weights: artifact.weightSpecs.map((s) => ({ ...s, shape: s.shape.map(Number) })),
      },
    ],
    ...(artifact.userDefinedMetadataJson
      ? { userDefinedMetadata: JSON.parse(artifact.userDefinedMetadataJson) as unknown }
      : {}),
  };
  await writeFile(join(dir, WEIGHTS_FILE), artifact.weightData);
  const path = join(dir, 'model.json');
  await writeFile(path, JSON.stringify(modelJson));
  return path;
}

export interface ReadOptions {
  /** When set, file paths must resolve inside this directory (a service's artifact root). */
  readonly root?: string;
  /** Largest artifact accepted, in bytes (model.json + weights). Default 1 GiB. */
  readonly maxBytes?: number;
  /** fetch for http(s) URLs (tests inject one). Default the global fetch. */
  readonly fetch?: typeof fetch;
}

interface ModelJson {
  modelTopology?: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  userDefinedMetadata?: unknown;
  weightsManifest?: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
}

/**
 * Reads a tfjs model artifact from `file://` (model.json or its directory), a plain path, or an
 * http(s) URL. A missing file is ArtifactNotFoundError; bad JSON, missing weight files or sizes that
 * disagree with the manifest are CorruptArtifactError, each naming the artifact.
 */
export async function readArtifact(
  uri: string,
  options: ReadOptions = {},
): Promise<modelbuilder.ModelArtifact> {
  const maxBytes = options.maxBytes ?? 2 ** 30;
  const isHttp = /^https?:\/\//i.test(uri);
  const load = isHttp
    ? httpLoader(uri, options.fetch ?? fetch, maxBytes)
    : await fileLoader(uri, options.root, maxBytes);
  const text = (await load.read('model.json', true)).toString('utf8');
  let json: ModelJson;
  try {
    json = JSON.parse(text) as ModelJson;
  } catch (err) {
    throw new CorruptArtifactError(`${uri}: model.json is not valid JSON (${(err as Error).message})`);
  }
  if (
    typeof json !== 'object' ||
    json === null ||
    !json.modelTopology ||
    !Array.isArray(json.weightsManifest)
  ) {
    throw new CorruptArtifactError(
      `${uri}: model.json lacks modelTopology or weightsManifest (not a tfjs layers model)`,
    );
  }
  const buffers: Buffer[] = [];
  const specs: modelbuilder.WeightSpec[] = [];
  let total = 0;
  for (const group of json.weightsManifest) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group.weights))
      throw new CorruptArtifactError(`${uri}: malformed weightsManifest`);
    const parts: Buffer[] = [];
    for (const p of group.paths) {
      const part = await load.read(p, false);
      total += part.byteLength;
      if (total > maxBytes) throw new CorruptArtifactError(`${uri}: weights exceed ${maxBytes} bytes`);
      parts.push(part);
    }
    const data = Buffer.concat(parts);
    const expected = group.weights.reduce(
      (a, w) => a + bytesPer(w.dtype, uri) * w.shape.reduce((x, y) => x * y, 1),
      0,
    );
    if (data.byteLength !== expected) {
      throw new CorruptArtifactError(
        `${uri}: weight files hold ${data.byteLength} bytes, the manifest needs ${expected} (truncated?)`,
      );
    }
    buffers.push(data);
    specs.push(...group.weights.map((w) => ({ name: w.name, shape: w.shape, dtype: w.dtype })));
  }
  return {
    modelTopologyJson: JSON.stringify(json.modelTopology),
    weightSpecs: specs,
    weightData: Buffer.concat(buffers),
    format: json.format ?? 'layers-model',
    generatedBy: json.generatedBy ?? '',
    convertedBy: json.convertedBy ?? '',
    userDefinedMetadataJson:
      json.userDefinedMetadata === undefined ? '' : JSON.stringify(json.userDefinedMetadata),
  };
}

function bytesPer(dtype: string, uri: string): number {
  if (dtype === 'float32' || dtype === 'int32') return 4;
  if (dtype === 'bool') return 1;
  throw new CorruptArtifactError(
    `${uri}: unsupported weight dtype "${dtype}" (quantised weights are not supported)`,
  );
}

interface Loader {
  /** Reads a file of the artifact by its manifest path (relative to model.json). */
  read(path: string, isModelJson: boolean): Promise<Buffer>;
}

async function fileLoader(uri: string, root: string | undefined, maxBytes: number): Promise<Loader> {
  let path = uri.startsWith('file://') ? fileURLToPath(uri) : uri;
  path = resolve(path);
  if (root !== undefined && !isInside(path, resolve(root))) {
    throw new ArtifactNotFoundError(`${uri}: outside the artifact root ${root}`);
  }
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new ArtifactNotFoundError(`${uri}: no such file or directory`);
  const modelJson = info.isDirectory() ? join(path, 'model.json') : path;
  const dir = dirname(modelJson);
  return {
    async read(p, isModelJson) {
      const file = isModelJson ? modelJson : resolve(dir, p);
      if (!isInside(file, dir))
        throw new CorruptArtifactError(`${uri}: weight path "${p}" leaves the artifact's directory`);
      const size = (await stat(file).catch(() => undefined))?.size;
      if (size === undefined) {
        if (isModelJson) throw new ArtifactNotFoundError(`${uri}: no model.json`);
        throw new CorruptArtifactError(`${uri}: weight file "${p}" is missing`);
      }
      if (size > maxBytes) throw new CorruptArtifactError(`${uri}: "${p}" exceeds ${maxBytes} bytes`);
      return readFile(file);
    },
  };
}

function httpLoader(uri: string, fetchFn: typeof fetch, maxBytes: number): Loader {
  const modelJsonUrl = /\.json($|\?)/.test(uri) ? uri : `${uri.replace(/\/$/, '')}/model.json`;
  return {
    async read(p, isModelJson) {
      const url = isModelJson ? modelJsonUrl : new URL(p, modelJsonUrl).toString();
      let res: Response;
      try {
        res = await fetchFn(url, { signal: AbortSignal.timeout(60_000) });
      } catch (err) {
        throw new ArtifactNotFoundError(`${url}: ${(err as Error).message}`);
      }
      if (res.status === 404) {
        if (isModelJson) throw new ArtifactNotFoundError(`${url}: HTTP 404`);
        throw new CorruptArtifactError(`${url}: weight file missing (HTTP 404)`);
      }
      if (!res.ok) throw new ArtifactNotFoundError(`${url}: HTTP ${res.status}`);
      const body = Buffer.from(await res.arrayBuffer());
      if (body.byteLength > maxBytes) throw new CorruptArtifactError(`${url}: exceeds ${maxBytes} bytes`);
      return body;
    },
  };
}

function isInside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}
