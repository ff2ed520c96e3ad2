#!/usr/bin/env node
// `npm run bench:train`: trains the reference models of torch_bench.py on every available backend.
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_ORDER, type BackendName } from '../backend/backend-name';
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

  // Other processes change both sides of the comparison, PyTorch's threads far more than ours.
  const load = (): string =>
    os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  process.stderr.write(`load average at start: ${load()} (${os.availableParallelism()} cores)\n`);
  // Start every backend once; the ones that fail are reported and skipped.
  const threads = wasmThreads(process.env);
  const wanted = args.backends ?? BACKEND_ORDER;
  const ready: { name: BackendName; label: string; tfBackend: string }[] = [];
  for (const candidate of defaultCandidates(threads).filter((c) => wanted.includes(c.name))) {
    try {
      const details = await candidate.activate();
      const label = candidate.name === 'wasm' ? `wasm-${details.threads ?? 1}t` : candidate.name;
      ready.push({ name: candidate.name, label, tfBackend: details.tfBackend });
    } catch (error) {
      log(
        `skipping ${candidate.name}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      );
    }
  }

  // Model by model, PyTorch's run right before ours, so that both see the same machine load.
  const torch = new Map<string, BenchResult>();
  const results: BenchResult[] = [];
  for (const name of models) {
    if (args.torch) {
      for (const r of await runTorchBench([name], args.steps ?? DEFAULT_STEPS)) {
        torch.set(r.model, r);
        print(r);
      }
    }
    for (const backend of ready) {
      await tf.setBackend(backend.tfBackend);
      const steps = args.steps ?? (backend.name === 'cpu' ? CPU_STEPS : DEFAULT_STEPS);
      const result = benchModel(referenceModel(name), backend.label, steps);
      results.push(result);
      const reference = torch.get(name);
      print(
        reference ? { ...result, vsTorch: round(result.samplesPerSec / reference.samplesPerSec) } : result,
      );
    }
  }
  if (!args.json) printTable(results, torch);
  process.stderr.write(`load average at end: ${load()}\n`);
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
