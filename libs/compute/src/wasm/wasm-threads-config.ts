import * as os from 'node:os';
import { ComputeConfigError } from '../compute-error';

/** tfjs-backend-wasm pre-creates 8 pthread workers; XNNPACK's pool cannot be larger. */
export const MAX_WASM_THREADS = 8;

/**
 * Reads `ATHANOR_WASM_THREADS`: how many threads the wasm backend computes with. Default: every
 * core Node may use (`os.availableParallelism()`), at most 8. `1` selects the single-threaded SIMD
 * build, which avoids worker start-up and shared memory.
 */
export function wasmThreads(env: NodeJS.ProcessEnv): number {
  const raw = env['ATHANOR_WASM_THREADS']?.trim();
  if (raw === undefined || raw === '') return Math.min(os.availableParallelism(), MAX_WASM_THREADS);
  const threads = Number(raw);
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_WASM_THREADS) {
    throw new ComputeConfigError(
      'ATHANOR_WASM_THREADS',
      `expected an integer from 1 to ${MAX_WASM_THREADS}, got '${raw}'`,
    );
  }
  return threads;
}
