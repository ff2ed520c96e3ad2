import { bisectRight } from './bisect-right';
import type { ChainableScheduler } from './chainable-scheduler';
import type { JsonObject } from './json-state';
import { stateList, stateNumber, stateObject } from './json-state';
import type { LrGroup } from './lr-group';
import type { TorchScheduler } from './torch-scheduler';

/**
 * PyTorch 1.13 SequentialLR. The children are built first (each runs its own initial step on the
 * shared groups, as in PyTorch); then the LRs are reset to the base, every child is rewound one
 * step, and only the first child's initial step is replayed. At each milestone the next child is
 * restarted with step(0), which uses its closed form (from the base LR, not the current one).
 */
export class SequentialLr implements TorchScheduler {
  private lastEpoch: number;

  constructor(
    groups: LrGroup[],
    private readonly children: ChainableScheduler[],
    private readonly milestones: readonly number[],
  ) {
    this.lastEpoch = -1 + 1;
    for (const group of groups) group.lr = group.initialLr!;
    for (const child of children) child.lastEpoch -= 1;
    children[0].initialStep();
  }

  step(): void {
    this.lastEpoch += 1;
    const idx = bisectRight(this.milestones, this.lastEpoch);
    const child = this.children[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) child.step(0);
    else child.step();
  }

  state(): JsonObject {
    return { lastEpoch: this.lastEpoch, schedulers: this.children.map((child) => child.state()) };
  }

  loadState(state: Record<string, unknown>, path: string): void {
    this.lastEpoch = stateNumber(state, 'lastEpoch', path);
    stateList(state, 'schedulers', path, this.children.length).forEach((child, i) => {
      const childPath = `${path}.schedulers[${i}]`;
      this.children[i].loadState(stateObject(child, childPath), childPath);
    });
  }
}
