import { ComputeConfigError } from '../compute-error';

/** Backends in the order Athanor tries them when `ATHANOR_BACKEND` is not set. */
export const BACKEND_ORDER = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;

export type BackendName = (typeof BACKEND_ORDER)[number];

export function isBackendName(value: string): value is BackendName {
  return (BACKEND_ORDER as readonly string[]).includes(value);
}

/**
 * Reads `ATHANOR_BACKEND` (unset or empty: automatic choice). An unknown name fails fast and names
 * the variable, so a typo never silently falls back to a slower backend.
 */
export function backendOverride(env: NodeJS.ProcessEnv): BackendName | undefined {
  const raw = env['ATHANOR_BACKEND']?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (!isBackendName(raw)) {
    throw new ComputeConfigError(
      'ATHANOR_BACKEND',
      `unknown backend '${raw}'; expected one of ${BACKEND_ORDER.join(', ')}`,
    );
  }
  return raw;
}
