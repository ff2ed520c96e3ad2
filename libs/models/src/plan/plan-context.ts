import { INPUT_NODE, type PlanNode, type WeightPlan } from './model-plan';
import type { ValidationIssue } from './validation-issue';

/** A planned tensor: the node that produces it and its shape without the batch dimension. */
export interface Sym {
  readonly name: string;
  readonly shape: readonly number[];
}

/** Collects nodes and issues while an architecture is planned. */
export class PlanContext {
  readonly issues: ValidationIssue[] = [];
  readonly nodes: PlanNode[] = [];
  private readonly names = new Set<string>([INPUT_NODE]);
  /** After the first shape error, later shapes derive from a broken one: report only the first. */
  private shapeBroken = false;

  error(field: string, description: string): void {
    this.issues.push({ field, description, severity: 'error' });
  }

  warn(field: string, description: string): void {
    this.issues.push({ field, description, severity: 'warning' });
  }

  /** A shape that collapses (e.g. pooling to 0x0); only the first such error is reported. */
  shapeError(field: string, description: string): void {
    if (!this.shapeBroken) this.error(field, description);
    this.shapeBroken = true;
  }

  get hasErrors(): boolean {
    return this.issues.some((i) => i.severity === 'error');
  }

  /** Adds a layer fed by `inputs`; returns its output. */
  add(
    name: string,
    className: string,
    args: Record<string, unknown>,
    inputs: Sym | readonly Sym[],
    outputShape: readonly number[],
    weights: readonly WeightPlan[] = [],
    field = 'spec',
  ): Sym {
    if (this.names.has(name)) this.error(field, `layer name "${name}" is used twice`);
    this.names.add(name);
    const list = Array.isArray(inputs) ? (inputs as readonly Sym[]) : [inputs as Sym];
    this.nodes.push({ name, className, args, inputs: list.map((s) => s.name), outputShape, weights });
    return { name, shape: outputShape };
  }
}

/**
 * Bounds on what a plan expands layer by layer (repeats, depths, lists). Planning allocates no
 * tensors, but a depth of 2^31 would still build a plan of 2^31 layers: these stop that first.
 */
export const MAX_REPEATS = 1000;
export const MAX_LIST = 1000;

/** Field checks shared by the architectures; each reports and returns whether the value is fine. */
export function checkInt(
  ctx: PlanContext,
  field: string,
  value: number | undefined,
  min: number,
  what = 'an integer',
  max = Number.MAX_SAFE_INTEGER,
): boolean {
  if (value === undefined) return true;
  if (!Number.isInteger(value) || value < min) {
    ctx.error(field, `must be ${what} >= ${min}, got ${value}`);
    return false;
  }
  if (value > max) {
    ctx.error(field, `must be at most ${max}, got ${value}`);
    return false;
  }
  return true;
}

/** Reports a repeated field longer than `max`; returns whether it is fine. */
export function checkLength(
  ctx: PlanContext,
  field: string,
  list: readonly unknown[],
  max = MAX_LIST,
): boolean {
  if (list.length <= max) return true;
  ctx.error(field, `at most ${max} entries, got ${list.length}`);
  return false;
}

export function checkRate(ctx: PlanContext, field: string, value: number | undefined): boolean {
  if (value === undefined) return true;
  if (!Number.isFinite(value) || value < 0 || value >= 1) {
    ctx.error(field, `must be in [0, 1), got ${value}`);
    return false;
  }
  return true;
}

export function checkPositive(ctx: PlanContext, field: string, value: number | undefined): boolean {
  if (value === undefined) return true;
  if (!Number.isFinite(value) || value <= 0) {
    ctx.error(field, `must be a positive number, got ${value}`);
    return false;
  }
  return true;
}
