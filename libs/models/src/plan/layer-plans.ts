import { modelbuilder } from '@athanor/contracts';
import type { WeightPlan } from './model-plan';
import { type PlanContext, type Sym } from './plan-context';

const { Activation, NormKind } = modelbuilder;

// PyTorch's BatchNorm/LayerNorm/GroupNorm epsilon; tfjs defaults to 1e-3.
export const NORM_EPSILON = 1e-5;

const w = (name: string, shape: readonly number[], trainable = true): WeightPlan => ({
  name,
  shape,
  trainable,
});

/** Dense over the last axis (tfjs applies a Dense layer to every leading position). */
export function dense(
  ctx: PlanContext,
  name: string,
  x: Sym,
  units: number,
  bias = true,
  field?: string,
): Sym {
  const inUnits = x.shape[x.shape.length - 1];
  const weights = [w('kernel', [inUnits, units]), ...(bias ? [w('bias', [units])] : [])];
  return ctx.add(
    name,
    'Dense',
    { units, useBias: bias },
    x,
    [...x.shape.slice(0, -1), units],
    weights,
    field,
  );
}

/** Dropout whose masks come from the model's seeded stream (layers/seeded-dropout.ts). */
export function dropout(ctx: PlanContext, name: string, x: Sym, rate: number): Sym {
  return rate > 0 ? ctx.add(name, 'AthanorDropout', { rate }, x, x.shape) : x;
}

export function flatten(ctx: PlanContext, name: string, x: Sym): Sym {
  if (x.shape.length === 1) return x;
  return ctx.add(name, 'Flatten', {}, x, [x.shape.reduce((a, b) => a * b, 1)]);
}

/** The layer for an activation; LINEAR adds none. `fallback` is the architecture's default. */
export function activation(
  ctx: PlanContext,
  name: string,
  x: Sym,
  kind: modelbuilder.Activation,
  fallback: modelbuilder.Activation,
  field: string,
  leakySlope = 0.01,
): Sym {
  const k = kind === Activation.ACTIVATION_UNSPECIFIED ? fallback : kind;
  switch (k) {
    case Activation.ACTIVATION_RELU:
      return ctx.add(name, 'ReLU', {}, x, x.shape);
    case Activation.ACTIVATION_LEAKY_RELU:
      return ctx.add(name, 'LeakyReLU', { alpha: leakySlope }, x, x.shape);
    case Activation.ACTIVATION_GELU:
      // tfjs's 'gelu' is the exact erf form, PyTorch's default.
      return ctx.add(name, 'Activation', { activation: 'gelu' }, x, x.shape);
    case Activation.ACTIVATION_SILU:
      return ctx.add(name, 'Activation', { activation: 'swish' }, x, x.shape);
    case Activation.ACTIVATION_TANH:
      return ctx.add(name, 'Activation', { activation: 'tanh' }, x, x.shape);
    case Activation.ACTIVATION_SIGMOID:
      return ctx.add(name, 'Activation', { activation: 'sigmoid' }, x, x.shape);
    case Activation.ACTIVATION_LINEAR:
      return x;
    default:
      ctx.error(field, `unknown activation ${String(kind)}`);
      return x;
  }
}

/** Checks an Activation enum value without planning a layer. */
export function checkActivation(ctx: PlanContext, field: string, kind: modelbuilder.Activation): void {
  if (!Object.values(Activation).includes(kind) || kind === Activation.UNRECOGNIZED) {
    ctx.error(field, `unknown activation ${String(kind)}`);
  }
}

export function checkLeakySlope(ctx: PlanContext, field: string, slope: number | undefined): void {
  if (slope !== undefined && (!Number.isFinite(slope) || slope < 0)) {
    ctx.error(field, `must be a finite number >= 0, got ${slope}`);
  }
}

/** A normalisation layer over the last (channel/feature) axis; NONE adds none. */
export function norm(
  ctx: PlanContext,
  name: string,
  x: Sym,
  kind: modelbuilder.NormKind,
  fallback: modelbuilder.NormKind,
  field: string,
  groups = 32,
  epsilon = NORM_EPSILON,
): Sym {
  const k = kind === NormKind.NORM_KIND_UNSPECIFIED ? fallback : kind;
  const channels = x.shape[x.shape.length - 1];
  switch (k) {
    case NormKind.NORM_KIND_NONE:
      return x;
    case NormKind.NORM_KIND_BATCH:
      // PyTorch's momentum 0.1 (weight of the new batch) is tfjs's 0.9 (weight of the running average).
      return ctx.add(name, 'BatchNormalization', { epsilon, momentum: 0.9, axis: -1 }, x, x.shape, [
        w('gamma', [channels]),
        w('beta', [channels]),
        w('moving_mean', [channels], false),
        w('moving_variance', [channels], false),
      ]);
    case NormKind.NORM_KIND_LAYER:
      return ctx.add(name, 'LayerNormalization', { epsilon, axis: -1 }, x, x.shape, [
        w('gamma', [channels]),
        w('beta', [channels]),
      ]);
    case NormKind.NORM_KIND_GROUP: {
      const g = Math.min(groups, channels);
      if (channels % g !== 0) {
        ctx.error(
          `${field.replace(/\.norm$/, '')}.normGroups`,
          `${channels} channels do not split into ${g} groups`,
        );
      }
      return ctx.add(name, 'GroupNormalization', { groups: g, epsilon }, x, x.shape, [
        w('gamma', [channels]),
        w('beta', [channels]),
      ]);
    }
    default:
      ctx.error(field, `unknown norm kind ${String(kind)}`);
      return x;
  }
}

/** Whether a norm kind (after defaults) has its own offset, making a preceding bias redundant. */
export function normHasOffset(kind: modelbuilder.NormKind, fallback: modelbuilder.NormKind): boolean {
  const k = kind === NormKind.NORM_KIND_UNSPECIFIED ? fallback : kind;
  return k === NormKind.NORM_KIND_BATCH || k === NormKind.NORM_KIND_GROUP;
}

/** Recurrent weights as tfjs lays them out: kernel [in, gates*units], recurrent_kernel [units, gates*units]. */
export function recurrentWeights(
  prefix: string,
  inUnits: number,
  units: number,
  gates: number,
): WeightPlan[] {
  return [
    w(`${prefix}kernel`, [inUnits, gates * units]),
    w(`${prefix}recurrent_kernel`, [units, gates * units]),
    w(`${prefix}bias`, [gates * units]),
  ];
}

export { w as weightPlan };
