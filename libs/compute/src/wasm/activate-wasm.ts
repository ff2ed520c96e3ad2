import * as tf from '@tensorflow/tfjs';
import type { BackendDetails } from '../backend/backend-candidate';
import { registerWasmTrainingKernels } from '../kernels/register-wasm-training-kernels';
import { releasePoolThreads, withNodeThreads } from './node-threads';
import { wasmBinaryDir } from './wasm-binary-dir';

let pathsSet = false;

/**
 * Makes tfjs-backend-wasm the active backend, with the training kernels registered and, when
 * `threads > 1`, the threaded-SIMD build (XNNPACK's pool on `threads` threads).
 */
export async function activateWasm(threads: number): Promise<BackendDetails> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  registerWasmTrainingKernels();
  if (!pathsSet) {
    // setWasmPaths throws once an initialisation has been attempted, so set it exactly once.
    wasm.setWasmPaths(wasmBinaryDir());
    pathsSet = true;
  }
  if (threads > 1 && (await start(wasm, threads))) {
    releasePoolThreads((tf.backend() as unknown as { wasm: unknown }).wasm);
    return { tfBackend: 'wasm', threads: wasm.getThreadsCount() };
  }
  if (!(await start(wasm, 1)))
    throw new Error('tfjs-backend-wasm failed to initialise (see the warning above)');
  const note =
    threads > 1 ? `selected, single-threaded: the ${threads}-thread build failed to start` : undefined;
  return { tfBackend: 'wasm', threads: 1, ...(note === undefined ? {} : { note }) };
}

function start(wasm: typeof import('@tensorflow/tfjs-backend-wasm'), threads: number): Promise<boolean> {
  // tfjs reports no thread support under Node (tfjs#3830); node-threads.ts supplies what it lacks.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threads > 1);
  wasm.setThreadsCount(threads);
  return withNodeThreads(threads, () => tf.setBackend('wasm'));
}
