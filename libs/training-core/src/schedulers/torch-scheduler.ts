import type { JsonObject } from './json-state';

/** What every scheduler mirroring a PyTorch class offers to its owner (the public wrapper or a composite). */
export interface TorchScheduler {
  /** PyTorch's `scheduler.step()`: called after the optimizer step. */
  step(): void;
  state(): JsonObject;
  loadState(state: Record<string, unknown>, path: string): void;
}
