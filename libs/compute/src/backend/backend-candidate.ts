import type { BackendName } from './backend-name';

/** One way to get a backend running: `activate` makes it tfjs's active backend or throws why not. */
export interface BackendCandidate {
  readonly name: BackendName;
  activate(): Promise<BackendDetails>;
}

/** What an activated backend reports about itself beyond its name. */
export interface BackendDetails {
  /** The name tfjs knows the backend by (`tensorflow` for both native packages). */
  readonly tfBackend: string;
  /** Threads the backend computes with, where it says (wasm: XNNPACK's pool size). */
  readonly threads?: number;
  /** Recorded as the attempt's reason instead of `selected` (e.g. a fallback inside the backend). */
  readonly note?: string;
}
