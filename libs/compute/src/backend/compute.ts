import { registerTrainingGradients } from '../gradients/register-training-gradients';
import { backendOverride } from './backend-name';
import { defaultCandidates } from './default-candidates';
import { type BackendSelection, selectBackend } from './select-backend';
import { wasmThreads } from '../wasm/wasm-threads-config';

/** Which backend runs the maths, and why each one before it was rejected. */
export type ComputeInfo = BackendSelection;

let pending: Promise<ComputeInfo> | undefined;
let selected: ComputeInfo | undefined;

/**
 * Chooses and initialises the TensorFlow.js backend once per process (later calls return the same
 * answer). Configuration comes from `env`: `ATHANOR_BACKEND` and `ATHANOR_WASM_THREADS`; a bad value
 * rejects naming the variable. A failed attempt is not cached, so a corrected environment can retry.
 */
export function initCompute(env: NodeJS.ProcessEnv = process.env): Promise<ComputeInfo> {
  pending ??= start(env).catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}

async function start(env: NodeJS.ProcessEnv): Promise<ComputeInfo> {
  const override = backendOverride(env);
  const threads = wasmThreads(env);
  registerTrainingGradients();
  selected = await selectBackend(defaultCandidates(threads), override);
  return selected;
}

/** The answer of `initCompute()`; throws if it has not completed. */
export function computeInfo(): ComputeInfo {
  if (selected === undefined) throw new Error('computeInfo() called before initCompute() completed');
  return selected;
}
