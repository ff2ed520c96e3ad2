import { randomInt } from 'node:crypto';
import type { modelbuilder } from '@athanor/contracts';
import type * as tf from '@tensorflow/tfjs';
import type { ReadOptions } from '../artifact/artifact-store';
import { seedDropout } from '../dropout/seed-dropout';
import { initializeWeights } from '../init/initialize-weights';
import { validateInitSpec } from '../init/validate-init-spec';
import { InvalidModelSpecError, type ModelPlan, type PlanOptions, requirePlan } from '../plan';
import { loadPretrained } from '../pretrained/load-pretrained';
import { modelFromPlan } from './build-from-plan';

export interface BuildOptions extends PlanOptions {
  /** Seed when the InitSpec has none (e.g. TrainConfig.seed). Neither set: a random seed. */
  readonly seed?: number;
}

/** The seed a build uses: the InitSpec's, else `fallback`, else a random one (report it to rebuild). */
export function resolveSeed(init: modelbuilder.InitSpec | undefined, fallback?: number): number {
  return init?.seed ?? fallback ?? randomInt(0, 2 ** 31);
}

/**
 * ModelSpec + InitSpec -> an initialised tf.LayersModel (synchronous; pretrained weights are not
 * loaded here: see `createModel` / `loadPretrained`). Same spec, init and seed on the same backend give
 * bit-identical weights and the same dropout masks (`seedDropout`). Throws InvalidModelSpecError (field paths under `spec.` / `init.`).
 */
export function buildModel(
  spec: modelbuilder.ModelSpec,
  init?: modelbuilder.InitSpec,
  options: BuildOptions = {},
): tf.LayersModel {
  const plan = requirePlan(spec, options);
  checkInit(plan, init);
  return buildFromPlan(plan, init, resolveSeed(init, options.seed));
}

/** Builds a validated plan, initialises it and seeds its dropout (the model is disposed if that fails). */
export function buildFromPlan(
  plan: ModelPlan,
  init: modelbuilder.InitSpec | undefined,
  seed: number,
): tf.LayersModel {
  const model = modelFromPlan(plan);
  try {
    initializeWeights(model, init, seed);
    seedDropout(model, seed);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}

/** Throws InvalidModelSpecError for InitSpec errors (patterns are checked against the plan's layers). */
export function checkInit(plan: ModelPlan, init: modelbuilder.InitSpec | undefined): void {
  const issues = validateInitSpec(init, 'init', layerNamesOf(plan));
  if (issues.some((i) => i.severity === 'error')) throw new InvalidModelSpecError(issues);
}

export function layerNamesOf(plan: ModelPlan): string[] {
  return plan.nodes.map((n) => n.name);
}

export interface CreatedModel {
  readonly model: tf.LayersModel;
  readonly plan: ModelPlan;
  readonly seed: number;
  /** Set when the InitSpec named pretrained weights. */
  readonly pretrained?: modelbuilder.PretrainedLoadReport;
}

/**
 * Everything BuildModel does: plan, initialise, then load pretrained weights and freeze layers as the
 * InitSpec says. The caller owns (and disposes) the model.
 */
export async function createModel(
  spec: modelbuilder.ModelSpec,
  init?: modelbuilder.InitSpec,
  options: BuildOptions & { readonly artifacts?: ReadOptions; readonly plan?: ModelPlan } = {},
): Promise<CreatedModel> {
  const plan = options.plan ?? requirePlan(spec, options);
  checkInit(plan, init);
  const seed = resolveSeed(init, options.seed);
  const model = buildFromPlan(plan, init, seed);
  if (!init?.pretrained) return { model, plan, seed };
  try {
    const pretrained = await loadPretrained(model, init.pretrained, options.artifacts);
    return { model, plan, seed, pretrained };
  } catch (err) {
    model.dispose();
    throw err;
  }
}
