import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelbuilder } from '@athanor/contracts';
import * as grpc from '@grpc/grpc-js';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { addressOf } from '../addresses';
import { connection } from '../connection';

/** Bad input to `athanor model`; the message names the option. */
export class ModelInputError extends Error {
  override readonly name = 'ModelInputError';
}

export interface ModelOptions {
  spec?: string;
  init?: string;
  candidates?: string;
  batchSize?: string;
  out?: string;
  json?: boolean;
  timeout?: string;
}

/** Reads a JSON or YAML file (by content: JSON is YAML) naming the option on failure. */
export function readDocument(path: string | undefined, option: string): unknown {
  if (path === undefined) throw new ModelInputError(`${option}: is required (a JSON or YAML file)`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ModelInputError(`${option}: cannot read ${path} (${(err as Error).message})`);
  }
  try {
    return parseYaml(text) as unknown;
  } catch (err) {
    throw new ModelInputError(`${option}: ${path} is neither JSON nor YAML (${(err as Error).message})`);
  }
}

/** A ModelSpec from its proto3 JSON form; unknown top-level keys are refused (typos would be ignored). */
export function parseSpec(doc: unknown, option = '--spec'): modelbuilder.ModelSpec {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new ModelInputError(`${option}: must hold one ModelSpec object`);
  const known = [
    'name',
    'inputShape',
    'input_shape',
    'numClasses',
    'num_classes',
    'cnn',
    'mlp',
    'rnn',
    'transformer',
  ];
  const unknown = Object.keys(doc).filter((k) => !known.includes(k));
  if (unknown.length > 0)
    throw new ModelInputError(
      `${option}: unknown field(s) ${unknown.join(', ')} (expected ${known.filter((k) => !k.includes('_')).join(', ')})`,
    );
  return modelbuilder.ModelSpec.fromJSON(doc);
}

function parseBatchSize(text: string | undefined): number {
  if (text === undefined) return 0;
  if (!/^\d+$/.test(text))
    throw new ModelInputError(`--batch-size: must be a positive integer, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** Candidates of inspect-init: --candidates FILE (a list of {label, init}), else --init FILE, else PyTorch defaults. */
export function parseCandidates(options: ModelOptions): modelbuilder.InitCandidate[] {
  if (options.candidates !== undefined) {
    const doc = readDocument(options.candidates, '--candidates');
    if (!Array.isArray(doc)) throw new ModelInputError('--candidates: must hold a list of {label, init}');
    return doc.map((c) => modelbuilder.InitCandidate.fromJSON(c));
  }
  const init =
    options.init === undefined
      ? undefined
      : modelbuilder.InitSpec.fromJSON(readDocument(options.init, '--init'));
  return [{ label: options.init ?? 'pytorch_default', init }];
}

type Unary<Req, Res> = (
  req: Req,
  md: grpc.Metadata,
  o: Partial<grpc.CallOptions>,
  cb: (e: grpc.ServiceError | null, r: Res) => void,
) => unknown;

function call<Req, Res>(fn: Unary<Req, Res>, req: Req, timeoutMs: number): Promise<Res> {
  return new Promise((resolve, reject) =>
    fn(req, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) =>
      err ? reject(describeError(err)) : resolve(res),
    ),
  );
}

function describeError(err: grpc.ServiceError): Error {
  return new Error(`${grpc.status[err.code] ?? err.code}: ${err.details}`);
}

/** Runs one `athanor model` subcommand against the model-builder service; returns what to print. */
export async function runModel(
  command: 'validate' | 'summary' | 'build' | 'inspect-init',
  options: ModelOptions,
  client: modelbuilder.ModelBuilderServiceClient,
): Promise<string> {
  const spec = parseSpec(readDocument(options.spec, '--spec'));
  const batchSize = parseBatchSize(options.batchSize);
  const timeoutMs = options.timeout === undefined ? 120_000 : Number(options.timeout) * 1000;
  if (!(timeoutMs > 0))
    throw new ModelInputError(
      `--timeout: must be a positive number of seconds, got ${JSON.stringify(options.timeout)}`,
    );
  const init =
    command !== 'inspect-init' && options.init !== undefined
      ? modelbuilder.InitSpec.fromJSON(readDocument(options.init, '--init'))
      : undefined;
  switch (command) {
    case 'validate': {
      const res = await call(client.validateModel.bind(client), { spec, init, batchSize }, timeoutMs);
      return options.json
        ? JSON.stringify(modelbuilder.ValidateModelResponse.toJSON(res), null, 2)
        : formatValidation(res);
    }
    case 'summary': {
      const res = await call(client.validateModel.bind(client), { spec, init, batchSize }, timeoutMs);
      if (!res.valid) throw new ModelInputError(`--spec: the spec is invalid\n${formatValidation(res)}`);
      return options.json
        ? JSON.stringify(modelbuilder.ModelSummary.toJSON(res.summary!), null, 2)
        : formatSummary(res.summary!);
    }
    case 'build': {
      const res = await call(
        client.buildModel.bind(client),
        { spec, init, batchSize, summaryOnly: options.out === undefined },
        timeoutMs,
      );
      const lines = [`seed ${res.seed} · backend ${res.backend}`];
      if (options.out !== undefined && res.artifact)
        lines.push(`wrote ${writeArtifactFiles(options.out, res.artifact)}`);
      if (res.pretrainedReport) lines.push(formatPretrained(res.pretrainedReport));
      if (options.json) {
        return JSON.stringify(
          {
            seed: res.seed,
            backend: res.backend,
            summary: modelbuilder.ModelSummary.toJSON(res.summary!),
            pretrainedReport: res.pretrainedReport,
            out: options.out,
          },
          null,
          2,
        );
      }
      return [formatSummary(res.summary!), ...lines].join('\n');
    }
    case 'inspect-init': {
      const res = await call(
        client.inspectInitialization.bind(client),
        { spec, candidates: parseCandidates(options), sample: undefined, batchSize, seed: 0 },
        timeoutMs,
      );
      return options.json
        ? JSON.stringify(modelbuilder.InspectInitializationResponse.toJSON(res), null, 2)
        : formatInspection(res);
    }
  }
}

/** tfjs's on-disk layout (model.json + weights.bin), loadable with tf.loadLayersModel('file://...'). */
function writeArtifactFiles(dir: string, artifact: modelbuilder.ModelArtifact): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'weights.bin'), artifact.weightData);
  const modelJson = {
    modelTopology: JSON.parse(artifact.modelTopologyJson) as unknown,
    format: artifact.format,
    generatedBy: artifact.generatedBy,
    convertedBy: artifact.convertedBy || null,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifact.weightSpecs }],
    userDefinedMetadata: artifact.userDefinedMetadataJson
      ? (JSON.parse(artifact.userDefinedMetadataJson) as unknown)
      : undefined,
  };
  const path = join(dir, 'model.json');
  writeFileSync(path, JSON.stringify(modelJson));
  return path;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const count = (n: number) => n.toLocaleString('en-US');
function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function formatValidation(res: modelbuilder.ValidateModelResponse): string {
  const head = res.valid ? 'valid' : 'invalid';
  const lines = res.issues.map(
    (i) =>
      `${i.severity === modelbuilder.IssueSeverity.ISSUE_SEVERITY_ERROR ? 'error  ' : 'warning'} ${i.field}: ${i.description}`,
  );
  const budget = res.exceedsBudget
    ? ['the model exceeds the service budget: BuildModel would refuse it']
    : [];
  const summary = res.summary
    ? [`${count(res.summary.totalParams)} parameters, ${count(res.summary.flopsPerSample)} FLOPs per sample`]
    : [];
  return [head, ...lines, ...budget, ...summary].join('\n');
}

export function formatSummary(s: modelbuilder.ModelSummary): string {
  const rows = s.layers.map((l) => [
    l.name + (l.trainable ? '' : ' (frozen)'),
    l.className,
    `[${l.outputShape.join(', ')}]`,
    count(l.params),
    count(l.flopsPerSample),
  ]);
  return [
    table(['layer', 'class', 'output', 'params', 'FLOPs'], rows),
    `parameters: ${count(s.totalParams)} total, ${count(s.trainableParams)} trainable, ${count(s.nonTrainableParams)} non-trainable (${bytes(s.parameterBytes)})`,
    `per sample: ${count(s.flopsPerSample)} FLOPs forward, ${bytes(s.activationBytesPerSample)} of activations`,
    `training memory at batch ${s.memoryEstimateBatchSize}: about ${bytes(s.estimatedTrainingMemoryBytes)}`,
  ].join('\n');
}

function formatPretrained(r: modelbuilder.PretrainedLoadReport): string {
  return [
    `pretrained ${r.artifactUri}: ${r.loadedLayers.length} loaded, ${r.initializedLayers.length} new, ${r.mismatchedLayers.length} mismatched, ${r.frozenLayers.length} frozen`,
    ...r.mismatchedLayers.map((m) => `  mismatched ${m.layer}: ${m.reason}`),
  ].join('\n');
}

const num = (x: number) =>
  x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e4) ? x.toExponential(2) : x.toFixed(4);

export function formatInspection(res: modelbuilder.InspectInitializationResponse): string {
  const parts = res.reports.map((r) => {
    const rows = r.layers.map((l) => [
      l.layer,
      l.className,
      num(l.activationMean),
      num(l.activationStd),
      `${Math.round(100 * l.deadUnitFraction)}%`,
      l.weightStd ? num(l.gradientNorm) : '-',
    ]);
    return [
      `== ${r.label} (seed ${r.init?.seed ?? 0}) loss ${num(r.loss)}, activation std last/first ${num(r.activationStdRatio)}, gradient norm first/last ${num(r.gradientNormRatio)}`,
      table(['layer', 'class', 'act mean', 'act std', 'dead', 'grad norm'], rows),
      ...r.warnings.map((w) => `! ${w}`),
    ].join('\n');
  });
  return [...parts, `backend ${res.backend}`].join('\n\n');
}

export function registerModelCommand(program: Command): void {
  const model = program
    .command('model')
    .description('validate, summarise, build and diagnose ModelSpecs through the model-builder service');
  const sub = (name: 'validate' | 'summary' | 'build' | 'inspect-init', description: string) => {
    const cmd = model
      .command(name)
      .description(description)
      .option('--spec <file>', 'ModelSpec (proto3 JSON form) as a JSON or YAML file')
      .option('--batch-size <n>', 'batch size (memory estimate; inspect-init: sample batch)')
      .option('--timeout <seconds>', 'deadline of the call', '120')
      .option('--json', 'print JSON instead of tables');
    if (name !== 'inspect-init') cmd.option('--init <file>', 'InitSpec as a JSON or YAML file');
    else {
      cmd.option('--init <file>', 'one InitSpec to inspect (default: PyTorch defaults)');
      cmd.option('--candidates <file>', 'a list of {label, init} to compare side by side');
    }
    if (name === 'build') cmd.option('--out <dir>', 'write the artifact there (model.json + weights.bin)');
    cmd.action(async (options: ModelOptions) => {
      const client = new modelbuilder.ModelBuilderServiceClient(
        addressOf('model-builder'),
        connection().credentials,
        {
          ...connection().options,
          'grpc.max_receive_message_length': 1024 * 2 ** 20,
        },
      );
      try {
        process.stdout.write(`${await runModel(name, options, client)}\n`);
      } catch (error) {
        process.stderr.write(`athanor model ${name}: ${(error as Error).message}\n`);
        process.exitCode = error instanceof ModelInputError ? 2 : 1;
      } finally {
        client.close();
      }
    });
  };
  sub('validate', 'list every problem of a spec with its field path');
  sub('summary', 'layers, parameters, FLOPs and memory of a spec');
  sub('build', 'build and initialise a model; --out writes the artifact');
  sub(
    'inspect-init',
    'activation and gradient statistics at initialisation, per layer, for one or more InitSpecs',
  );
}
