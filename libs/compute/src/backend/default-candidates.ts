import * as tf from '@tensorflow/tfjs';
import { activateWasm } from '../wasm/activate-wasm';
import type { BackendCandidate, BackendDetails } from './backend-candidate';

/** The candidates in DESIGN.md's order; `wasmThreads` sizes the wasm backend's thread pool. */
export function defaultCandidates(wasmThreads: number): BackendCandidate[] {
  return [
    { name: 'tfjs-node-gpu', activate: () => activateNative('@tensorflow/tfjs-node-gpu', true) },
    { name: 'tfjs-node', activate: () => activateNative('@tensorflow/tfjs-node', false) },
    { name: 'wasm', activate: () => activateWasm(wasmThreads) },
    { name: 'cpu', activate: activateCpu },
  ];
}

/**
 * Both native packages register a backend called `tensorflow` when loaded. They are optional
 * dependencies whose install downloads libtensorflow; where that was impossible the import fails
 * and the reason is recorded.
 */
async function activateNative(pkg: string, needsGpu: boolean): Promise<BackendDetails> {
  try {
    await import(pkg);
  } catch (error) {
    // CommonJS and ESM loaders name a missing package differently.
    const code = (error as { code?: unknown }).code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND')
      throw new Error(`${pkg} is not installed`);
    throw error;
  }
  if (!(await tf.setBackend('tensorflow')))
    throw new Error(`${pkg} loaded but its backend failed to initialise`);
  // libtensorflow's GPU build quietly runs on the CPU when it finds no usable CUDA device.
  const usesGpu = (tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
  if (needsGpu && !usesGpu) {
    throw new Error(`${pkg} loaded but sees no CUDA GPU (it needs CUDA 11.2 and cuDNN 8.1)`);
  }
  return { tfBackend: 'tensorflow' };
}

async function activateCpu(): Promise<BackendDetails> {
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend failed to initialise');
  return { tfBackend: 'cpu', threads: 1 };
}
