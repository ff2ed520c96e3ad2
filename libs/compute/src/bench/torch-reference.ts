import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { BenchResult } from './bench-model';

/** The reference script, found from the repository root (four levels above dist/bench or src/bench). */
export function torchBenchPath(): string {
  const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
  return path.resolve(repoRoot, '..', 'shared', 'reference', 'torch_bench.py');
}

/**
 * Runs torch_bench.py with the system interpreter as its header prescribes: OpenBLAS's core-type and
 * L2 overrides removed from the environment, two threads. Resolves with one result per model.
 */
export function runTorchBench(models: readonly string[], steps: number): Promise<BenchResult[]> {
  const env = { ...process.env };
  delete env['OPENBLAS_CORETYPE'];
  delete env['OPENBLAS_L2_SIZE'];
  const args = [torchBenchPath(), '--steps', String(steps), '--models', models.join(',')];
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`torch_bench.py exited with ${code}`));
        return;
      }
      const lines = out.split('\n').filter((l) => l.trim().startsWith('{'));
      resolve(lines.map((l) => JSON.parse(l) as BenchResult));
    });
  });
}
