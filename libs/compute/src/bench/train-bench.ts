#!/usr/bin/env node
// `npm run bench:train`: trains the reference models of torch_bench.py on every available backend.
import * as tf from '@tensorflow/tfjs';
import { BACKEND_ORDER } from '../backend/backend-name';
import { defaultCandidates } from '../backend/default-candidates';
import { registerTrainingGradients } from '../gradients/register-training-gradients';
import { wasmThreads } from '../wasm/wasm-threads-config';
import { parseBenchArgs } from './bench-args';
import { type BenchResult, benchModel } from './bench-model';
import { REFERENCE_MODELS, referenceModel } from './reference-models';
import { runTorchBench } from './torch-reference';

const DEFAULT_STEPS = 40;
const CPU_STEPS = 3;

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  const models = args.models.length > 0 ? args.models : REFERENCE_MODELS.map((m) => m.name);
  const log = (line: string): void => {
    if (!args.json) process.stderr.write(`${line}\n`);
  };
  // tfjs's "install the node backend" banner and similar notices would interleave with the table.
  tf.env().set('PROD', true);
  registerTrainingGradients();

  const torch = new Map<string, BenchResult>();
  if (args.torch) {
    log('running PyTorch reference ...');
    for (const r of await runTorchBench(models, args.steps ?? DEFAULT_STEPS)) {
      torch.set(r.model, r);
      print(r);
    }
  }

  const threads = wasmThreads(process.env);
  const wanted = args.backends ?? BACKEND_ORDER;
  const results: BenchResult[] = [];
  for (const candidate of defaultCandidates(threads).filter((c) => wanted.includes(c.name))) {
    let label: string = candidate.name;
    try {
      const details = await candidate.activate();
      if (candidate.name === 'wasm') label = `wasm-${details.threads ?? 1}t`;
    } catch (error) {
      log(
        `skipping ${candidate.name}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      );
      continue;
    }
    for (const name of models) {
      const steps = args.steps ?? (candidate.name === 'cpu' ? CPU_STEPS : DEFAULT_STEPS);
      const result = benchModel(referenceModel(name), label, steps);
      results.push(result);
      const reference = torch.get(name);
      print(
        reference ? { ...result, vsTorch: round(result.samplesPerSec / reference.samplesPerSec) } : result,
      );
    }
  }
  if (!args.json) printTable(results, torch);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function print(result: BenchResult & { vsTorch?: number }): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function printTable(results: readonly BenchResult[], torch: ReadonlyMap<string, BenchResult>): void {
  const rows = results.map((r) => {
    const ref = torch.get(r.model);
    return [
      r.model,
      r.backend,
      String(r.samplesPerSec),
      ref ? String(ref.samplesPerSec) : '-',
      ref ? `${round(r.samplesPerSec / ref.samplesPerSec)}x` : '-',
    ];
  });
  const header = ['model', 'backend', 'samples/s', 'pytorch', 'ratio'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  process.stdout.write(`\n${line(header)}\n${rows.map(line).join('\n')}\n`);
}

main().then(
  // The wasm backend's pthread workers are unref'd, but exit explicitly so nothing lingers.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
