import { ValidationError, type FieldViolation } from '../errors';
import { buildScheduler } from './build-scheduler';
import { ChainableScheduler } from './chainable-scheduler';
import { isPlainObject } from './field-reader';
import type { JsonObject } from './json-state';
import { stateList, stateNumber, stateObject } from './json-state';
import { LR_GROUP_FIELDS, type LrGroup } from './lr-group';
import { parseSchedulerSpec } from './parse-scheduler-spec';
import { ReduceLrOnPlateau } from './reduce-lr-on-plateau';
import type { Scheduler, SchedulerState } from './scheduler';
import type { SchedulerKind, SchedulerSpec } from './scheduler-spec';
import type { TorchScheduler } from './torch-scheduler';

const FORMAT = 'athanor.lr-scheduler/v1';

/**
 * Validates `spec` (DESIGN.md's SchedulerSpec JSON; field paths in errors start with `path`) and
 * builds a scheduler over one LR per parameter group. The groups' LRs become the schedule's base
 * (PyTorch's initial_lr), except for oneCycle, which derives its own from maxLr / divFactor.
 */
export function createScheduler(spec: SchedulerSpec, baseLrs: readonly number[], path = 'spec'): Scheduler {
  const config = parseSchedulerSpec(spec, path);
  checkBaseLrs(baseLrs);
  const groups: LrGroup[] = baseLrs.map((lr) => ({ lr }));
  return new PyTorchOrderScheduler(config.kind, groups, buildScheduler(config, groups, path));
}

function checkBaseLrs(baseLrs: readonly number[]): void {
  if (!Array.isArray(baseLrs) || baseLrs.length === 0) {
    throw new ValidationError({
      field: 'baseLrs',
      description: 'needs one LR per parameter group (at least one)',
    });
  }
  const violations: FieldViolation[] = [];
  baseLrs.forEach((lr, i) => {
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
      violations.push({
        field: `baseLrs[${i}]`,
        description: `must be a finite number >= 0, got ${String(lr)}`,
      });
    }
  });
  if (violations.length > 0) throw new ValidationError(violations);
}

class PyTorchOrderScheduler implements Scheduler {
  constructor(
    readonly kind: SchedulerKind,
    private readonly groups: LrGroup[],
    private readonly inner: TorchScheduler | ReduceLrOnPlateau,
  ) {}

  lrs(): number[] {
    return this.groups.map((group) => group.lr);
  }

  momentums(): number[] | undefined {
    if (this.groups.some((group) => group.momentum === undefined)) return undefined;
    return this.groups.map((group) => group.momentum!);
  }

  step(metric?: number): void {
    if (this.inner instanceof ReduceLrOnPlateau) this.inner.step(requireMetric(metric));
    else this.inner.step();
  }

  stepTo(epoch: number, metric?: number): void {
    if (typeof epoch !== 'number' || !Number.isFinite(epoch)) {
      throw new ValidationError({
        field: 'epoch',
        description: `must be a finite number, got ${String(epoch)}`,
      });
    }
    if (this.inner instanceof ReduceLrOnPlateau) this.inner.step(requireMetric(metric), epoch);
    else if (this.inner instanceof ChainableScheduler) this.inner.step(epoch);
    else
      throw new ValidationError({
        field: 'epoch',
        description: `${this.kind} steps one at a time (PyTorch's ${this.kind} step() takes no epoch)`,
      });
  }

  state(): SchedulerState {
    const groups = this.groups.map((group) => {
      const out: JsonObject = {};
      for (const key of LR_GROUP_FIELDS) if (group[key] !== undefined) out[key] = group[key];
      return out;
    });
    return { format: FORMAT, kind: this.kind, groups, scheduler: this.inner.state() };
  }

  loadState(state: unknown): void {
    const root = stateObject(state, 'state');
    if (root.format !== FORMAT)
      throw new ValidationError({ field: 'state.format', description: `must be '${FORMAT}'` });
    if (root.kind !== this.kind) {
      throw new ValidationError({
        field: 'state.kind',
        description: `is '${String(root.kind)}' but this scheduler is '${this.kind}'`,
      });
    }
    const groups = stateList(root, 'groups', 'state', this.groups.length).map((group, i) => {
      const path = `state.groups[${i}]`;
      const object = stateObject(group, path);
      const restored: LrGroup = { lr: stateNumber(object, 'lr', path) };
      for (const key of LR_GROUP_FIELDS)
        if (object[key] !== undefined) restored[key] = stateNumber(object, key, path);
      return restored;
    });
    if (!isPlainObject(root.scheduler))
      throw new ValidationError({ field: 'state.scheduler', description: 'must be an object' });
    this.inner.loadState(root.scheduler, 'state.scheduler');
    // Assign in place: the inner schedulers hold these very group objects.
    groups.forEach((restored, i) => {
      const group = this.groups[i];
      for (const key of LR_GROUP_FIELDS) {
        if (key === 'lr') group.lr = restored.lr;
        else if (restored[key] === undefined) delete group[key];
        else group[key] = restored[key];
      }
    });
  }
}

function requireMetric(metric: number | undefined): number {
  if (typeof metric !== 'number') {
    throw new ValidationError({
      field: 'metric',
      description: 'reduceOnPlateau needs the monitored metric at every step',
    });
  }
  return metric;
}
