import * as tf from '@tensorflow/tfjs-core';
import { check, ValidationError } from '../errors';
import type { OptimizerState, SlotState, VariableState } from './optimizer-state';
import type { BaseParamGroup, OptimizerParams, ParamGroupSpec } from './param-group';

/** The hyperparameters a group adds to the base ones (e.g. SGD's momentum). */
export type GroupHyper<G extends BaseParamGroup> = Omit<G, keyof BaseParamGroup>;

/** A variable's optimizer state as the update rule sees it. */
export interface SlotAccess {
  /** The slot's current value, or undefined before its first assignment (e.g. SGD's first step). */
  get(name: string): tf.Variable | undefined;
  /** Stores `value` in the slot, creating the slot variable on first use. */
  set(name: string, value: tf.Tensor): void;
}

interface VariableSlots {
  step: number;
  readonly slots: Map<string, tf.Variable>;
}

/**
 * Our own optimizer base (not tfjs's): it owns the update rule, so lr, momentum and betas are plain
 * fields of each parameter group that a scheduler may change before any step, as in PyTorch.
 *
 * Tensor hygiene: each step runs in one `tf.tidy`; slots are non-trainable `tf.Variable`s that
 * survive the tidy and are released by `dispose()`. Gradients passed to `step` stay the caller's.
 */
export abstract class Optimizer<G extends BaseParamGroup> {
  /** Names the algorithm in checkpoints (`state.kind`). */
  abstract readonly kind: string;
  readonly paramGroups: G[] = [];
  private readonly perVariable = new Map<string, VariableSlots>();
  private steps = 0;
  private disposed = false;

  /** The slots this algorithm may keep per variable (checked when a state is imported). */
  protected abstract readonly slotNames: readonly string[];

  /** Builds a full group from a caller's spec and the optimizer's defaults. */
  protected abstract resolveGroup(spec: ParamGroupSpec<GroupHyper<G>>, name: string, field: string): G;

  /** Throws a ValidationError naming `${field}.<hyperparameter>` for an invalid value. */
  protected abstract validateHyper(group: G, field: string): void;

  /** Applies one update to `variable`; runs inside the step's tidy. `step` counts from 1. */
  protected abstract updateVariable(
    group: G,
    variable: tf.Variable,
    grad: tf.Tensor,
    step: number,
    slots: SlotAccess,
  ): void;

  /** Number of `step()` calls made so far. */
  get stepCount(): number {
    return this.steps;
  }

  /** Adds the groups (or one group of the given variables); subclass constructors call this. */
  protected addParams(params: OptimizerParams<GroupHyper<G>>): void {
    check(params.length > 0, 'params', 'the optimizer got an empty parameter list');
    if (params.every((p) => p instanceof tf.Variable)) {
      this.addParamGroup({ variables: params } as ParamGroupSpec<GroupHyper<G>>);
    } else {
      for (const spec of params) this.addParamGroup(spec);
    }
  }

  /**
   * Adds a group (PyTorch's `add_param_group`), e.g. layers unfrozen later in fine-tuning.
   * Variables whose `trainable` is false stay in the group but are skipped until made trainable.
   */
  addParamGroup(spec: ParamGroupSpec<GroupHyper<G>>): void {
    const index = this.paramGroups.length;
    const field = `optimizer.paramGroups[${index}]`;
    check(Array.isArray(spec.variables), `${field}.variables`, 'must be an array of tf.Variable');
    const seen = new Set(this.paramGroups.flatMap((g) => g.variables.map((v) => v.name)));
    spec.variables.forEach((v, j) => {
      check(v instanceof tf.Variable, `${field}.variables[${j}]`, 'must be a tf.Variable');
      check(
        !seen.has(v.name),
        `${field}.variables[${j}]`,
        `variable "${v.name}" appears in more than one parameter group`,
      );
      seen.add(v.name);
    });
    const group = this.resolveGroup(spec, spec.name ?? `group${index}`, field);
    this.validateGroup(group, field);
    this.paramGroups.push(group);
  }

  /** Sets the LR of every group, or of each group from a list (one value per group). */
  setLr(lr: number | readonly number[]): void {
    const values = this.perGroup(lr, 'lr');
    this.paramGroups.forEach((g, i) => {
      check(
        Number.isFinite(values[i]) && values[i] >= 0,
        `optimizer.paramGroups[${i}].lr`,
        `must be finite and >= 0, got ${values[i]}`,
      );
      g.lr = values[i]!;
    });
  }

  /**
   * Sets the momentum of every group (or one value per group): SGD's and RMSprop's `momentum`,
   * Adam's `betas[0]`, as PyTorch's OneCycleLR does when it cycles momentum.
   */
  setMomentum(momentum: number | readonly number[]): void {
    const values = this.perGroup(momentum, 'momentum');
    this.paramGroups.forEach((g, i) => {
      const updated = { ...g };
      this.writeMomentum(updated, values[i]);
      this.validateGroup(updated, `optimizer.paramGroups[${i}]`);
      this.writeMomentum(g, values[i]);
    });
  }

  /** Current momentum (or beta1) of each group. */
  getMomentum(): number[] {
    return this.paramGroups.map((g) => this.readMomentum(g));
  }

  /** Writes the hyperparameter a momentum schedule drives. */
  protected abstract writeMomentum(group: G, value: number): void;

  /** Reads the hyperparameter a momentum schedule drives. */
  protected abstract readMomentum(group: G): number;

  /** Current LR of each group, in group order. */
  getLr(): number[] {
    return this.paramGroups.map((g) => g.lr);
  }

  /** Base LR of each group that a schedule starts from (PyTorch's `initial_lr`). */
  getInitialLr(): number[] {
    return this.paramGroups.map((g) => g.initialLr);
  }

  /**
   * One optimizer step from gradients keyed by variable name (what `tf.variableGrads` returns).
   * Variables without a gradient, or not trainable, are left untouched, as PyTorch skips
   * parameters whose `.grad` is None. The gradients are not disposed.
   */
  step(grads: tf.NamedTensorMap): void {
    if (this.disposed) throw new Error('optimizer: step() after dispose()');
    this.paramGroups.forEach((g, i) => this.validateGroup(g, `optimizer.paramGroups[${i}]`));
    const work: [G, tf.Variable, tf.Tensor][] = [];
    for (const group of this.paramGroups) {
      for (const variable of group.variables) {
        const grad = grads[variable.name];
        if (grad === undefined || !variable.trainable) continue;
        check(
          tf.util.arraysEqual(grad.shape, variable.shape),
          `grads["${variable.name}"]`,
          `shape [${grad.shape.join(', ')}] differs from the variable's [${variable.shape.join(', ')}]`,
        );
        work.push([group, variable, grad]);
      }
    }
    tf.tidy(() => {
      for (const [group, variable, grad] of work) {
        const state = this.stateOf(variable);
        state.step += 1;
        this.updateVariable(group, variable, grad, state.step, this.access(state));
      }
    });
    this.steps += 1;
  }

  /** Copies the state to host memory (slot values as Float32Array) for a checkpoint. */
  async getState(): Promise<OptimizerState> {
    // Snapshot synchronously, so a step() made while the downloads run cannot mix two steps.
    const snapshot = [...this.perVariable].map(([name, s]) => ({
      name,
      step: s.step,
      slots: [...s.slots].map(([slot, v]) => ({ slot, shape: [...v.shape], copy: tf.clone(v) })),
    }));
    const variables: Record<string, VariableState> = {};
    try {
      for (const entry of snapshot) {
        const slots: Record<string, SlotState> = {};
        for (const { slot, shape, copy } of entry.slots) {
          slots[slot] = { shape, values: new Float32Array(await copy.data<'float32'>()) };
        }
        variables[entry.name] = { step: entry.step, slots };
      }
    } finally {
      for (const entry of snapshot) for (const { copy } of entry.slots) copy.dispose();
    }
    return {
      kind: this.kind,
      stepCount: this.steps,
      groups: this.paramGroups.map((g) => hyperOf(g)),
      variables,
    };
  }

  /** Restores a state from `getState()` (same kind, same groups, variables matched by name). */
  setState(state: OptimizerState): void {
    check(state.kind === this.kind, 'state.kind', `is "${state.kind}", this optimizer is "${this.kind}"`);
    check(
      Number.isInteger(state.stepCount) && state.stepCount >= 0,
      'state.stepCount',
      'must be a non-negative integer',
    );
    check(
      Array.isArray(state.groups) && state.groups.length === this.paramGroups.length,
      'state.groups',
      `has ${state.groups?.length} groups, the optimizer has ${this.paramGroups.length}`,
    );
    const restoredGroups = this.paramGroups.map((g, i) => {
      const restored = { ...g, ...copyArrays(state.groups[i]), name: g.name, variables: g.variables } as G;
      this.validateGroup(restored, `state.groups[${i}]`);
      return restored;
    });
    const byName = new Map(this.paramGroups.flatMap((g) => g.variables.map((v) => [v.name, v] as const)));
    for (const [name, vs] of Object.entries(state.variables)) {
      const field = `state.variables["${name}"]`;
      const variable = byName.get(name);
      check(variable !== undefined, field, 'names no variable of this optimizer');
      check(Number.isInteger(vs.step) && vs.step >= 0, `${field}.step`, 'must be a non-negative integer');
      for (const [slot, s] of Object.entries(vs.slots)) {
        check(
          this.slotNames.includes(slot),
          `${field}.slots.${slot}`,
          `is not a slot of ${this.kind} (${this.slotNames.join(', ')})`,
        );
        check(
          tf.util.arraysEqual([...s.shape], variable.shape),
          `${field}.slots.${slot}.shape`,
          `must be [${variable.shape.join(', ')}]`,
        );
        check(
          s.values instanceof Float32Array && s.values.length === variable.size,
          `${field}.slots.${slot}.values`,
          `must be a Float32Array of ${variable.size} values`,
        );
      }
    }
    // Everything checked: now replace, so a bad state leaves the optimizer as it was.
    this.releaseSlots();
    restoredGroups.forEach((g, i) => Object.assign(this.paramGroups[i], g));
    for (const [name, vs] of Object.entries(state.variables)) {
      const slots = new Map<string, tf.Variable>();
      for (const [slot, s] of Object.entries(vs.slots)) {
        slots.set(
          slot,
          tf.tidy(() => tf.variable(tf.tensor(s.values, [...s.shape], 'float32'), false)),
        );
      }
      this.perVariable.set(name, { step: vs.step, slots });
    }
    this.steps = state.stepCount;
  }

  /** Releases every slot tensor; the optimizer cannot step afterwards. */
  dispose(): void {
    this.releaseSlots();
    this.disposed = true;
  }

  /** Checks a group (or the defaults, with field `optimizer`) and throws naming the bad field. */
  protected validateGroup(group: G, field: string): void {
    check(
      Number.isFinite(group.lr) && group.lr >= 0,
      `${field}.lr`,
      `must be finite and >= 0, got ${group.lr}`,
    );
    check(
      Number.isFinite(group.initialLr) && group.initialLr >= 0,
      `${field}.initialLr`,
      `must be finite and >= 0, got ${group.initialLr}`,
    );
    check(
      Number.isFinite(group.weightDecay) && group.weightDecay >= 0,
      `${field}.weightDecay`,
      `must be finite and >= 0, got ${group.weightDecay}`,
    );
    this.validateHyper(group, field);
  }

  private perGroup(value: number | readonly number[], name: string): readonly number[] {
    if (typeof value === 'number') return this.paramGroups.map(() => value);
    if (value.length !== this.paramGroups.length) {
      throw new ValidationError({
        field: name,
        description: `has ${value.length} values for ${this.paramGroups.length} groups`,
      });
    }
    return value;
  }

  private stateOf(variable: tf.Variable): VariableSlots {
    let state = this.perVariable.get(variable.name);
    if (state === undefined) {
      state = { step: 0, slots: new Map() };
      this.perVariable.set(variable.name, state);
    }
    return state;
  }

  private access(state: VariableSlots): SlotAccess {
    return {
      get: (name) => state.slots.get(name),
      set: (name, value) => {
        const slot = state.slots.get(name);
        if (slot === undefined) state.slots.set(name, tf.variable(value, false));
        else slot.assign(value);
      },
    };
  }

  private releaseSlots(): void {
    for (const state of this.perVariable.values()) for (const slot of state.slots.values()) slot.dispose();
    this.perVariable.clear();
  }
}

function hyperOf(group: BaseParamGroup): Record<string, unknown> {
  const { name: _name, variables: _variables, ...hyper } = group;
  return copyArrays(hyper);
}

// Copies arrays (betas), so a snapshot does not follow later scheduler writes and vice versa.
function copyArrays(values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, Array.isArray(v) ? [...(v as unknown[])] : v]),
  );
}
