import { ComputeInitError } from '../compute-error';
import type { BackendCandidate, BackendDetails } from './backend-candidate';
import type { BackendName } from './backend-name';

export interface BackendAttempt {
  readonly name: BackendName;
  readonly ok: boolean;
  /** Why it was rejected, or `selected`. */
  readonly reason: string;
}

export interface BackendSelection extends BackendDetails {
  readonly backend: BackendName;
  readonly tried: readonly BackendAttempt[];
}

/**
 * Activates the first candidate that initialises. With an override only that candidate is tried:
 * asking for a backend by name and silently getting another would hide a broken install.
 */
export async function selectBackend(
  candidates: readonly BackendCandidate[],
  override?: BackendName,
): Promise<BackendSelection> {
  const order = override === undefined ? candidates : candidates.filter((c) => c.name === override);
  const tried: BackendAttempt[] = [];
  for (const candidate of order) {
    try {
      const { note, ...details } = await candidate.activate();
      tried.push({ name: candidate.name, ok: true, reason: note ?? 'selected' });
      return { backend: candidate.name, ...details, tried };
    } catch (error) {
      tried.push({ name: candidate.name, ok: false, reason: describe(error) });
    }
  }
  const why = tried.map((t) => `${t.name}: ${t.reason}`).join('; ');
  const what = override === undefined ? 'no TensorFlow.js backend' : `ATHANOR_BACKEND=${override}`;
  throw new ComputeInitError(`${what} could not be initialised (${why || 'no candidates'})`, tried);
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    // Node's "Cannot find module" message lists the whole require stack; the first line is the news.
    return error.message.split('\n')[0] ?? error.name;
  }
  if (typeof error === 'object' && error !== null && 'message' in error) return String(error.message);
  return String(error);
}
