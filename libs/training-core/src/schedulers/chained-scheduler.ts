import type { JsonObject } from './json-state';
import { stateList, stateObject } from './json-state';
import type { TorchScheduler } from './torch-scheduler';

/**
 * PyTorch 1.13 ChainedScheduler: every step, step each child in order. The children are
 * chainable, so their effects multiply on the shared LR; the first LR is whatever the children's
 * constructors left (e.g. ConstantLR's factor times the base).
 */
export class ChainedScheduler implements TorchScheduler {
  constructor(private readonly children: TorchScheduler[]) {}

  step(): void {
    for (const child of this.children) child.step();
  }

  state(): JsonObject {
    return { schedulers: this.children.map((child) => child.state()) };
  }

  loadState(state: Record<string, unknown>, path: string): void {
    stateList(state, 'schedulers', path, this.children.length).forEach((child, i) => {
      const childPath = `${path}.schedulers[${i}]`;
      this.children[i].loadState(stateObject(child, childPath), childPath);
    });
  }
}
