import { modelbuilder } from '@athanor/contracts';
import { planCnn } from './cnn-plan';
import { planMlp } from './mlp-plan';
import { INPUT_NODE, type ModelPlan } from './model-plan';
import { PlanContext, type Sym } from './plan-context';
import { planRnn } from './rnn-plan';
import { planTransformer } from './transformer-plan';
import { InvalidModelSpecError, sortIssues, type ValidationIssue } from './validation-issue';

export interface PlanOptions {
  /** Used when the spec's input_shape is empty (the dataset's shape). */
  readonly inputShape?: readonly number[];
  /** Used when the spec's num_classes is 0 (the dataset's classes). */
  readonly numClasses?: number;
}

export interface PlanResult {
  /** Set when there are no errors. */
  readonly plan?: ModelPlan;
  /** Every issue found, errors first. */
  readonly issues: readonly ValidationIssue[];
}

/** Turns a spec into a plan of layers without allocating anything; every problem is reported at once. */
export function planModel(spec: modelbuilder.ModelSpec | undefined, options: PlanOptions = {}): PlanResult {
  const ctx = new PlanContext();
  if (!spec) {
    ctx.error('spec', 'is required');
    return { issues: ctx.issues };
  }
  const inputShape = spec.inputShape.length > 0 ? spec.inputShape : (options.inputShape ?? []);
  const numClasses = spec.numClasses || options.numClasses || 0;
  if (spec.name && !/^[A-Za-z][A-Za-z0-9_.-]*$/.test(spec.name)) {
    ctx.error(
      'spec.name',
      `must start with a letter and hold letters, digits, _, . or -, got "${spec.name}"`,
    );
  }
  if (inputShape.length === 0) ctx.error('spec.inputShape', 'is required (or taken from a dataset)');
  inputShape.forEach((d, i) => {
    if (!Number.isInteger(d) || d < 1)
      ctx.error(`spec.inputShape[${i}]`, `must be a positive integer, got ${d}`);
  });
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    ctx.error(
      'spec.numClasses',
      numClasses === 0
        ? 'is required (or taken from a dataset)'
        : `must be a positive integer, got ${numClasses}`,
    );
  }
  const arch = spec.architecture;
  if (!arch) {
    ctx.error('spec.architecture', 'one of cnn, mlp, rnn or transformer is required');
    return { issues: sortIssues(ctx.issues) };
  }
  if (ctx.hasErrors) {
    // Still check the architecture's own fields against a stand-in shape, so every problem shows at once.
    planArchitecture(new PlanContextProxy(ctx), arch, fallbackShape(arch.$case), Math.max(1, numClasses));
    return { issues: sortIssues(ctx.issues) };
  }
  const usesIds =
    (arch.$case === 'rnn' && arch.value.embedding !== undefined) ||
    (arch.$case === 'transformer' && arch.value.input?.$case === 'embedding');
  planArchitecture(ctx, arch, inputShape, numClasses);
  const issues = sortIssues(ctx.issues);
  if (ctx.hasErrors) return { issues };
  const vocabSize =
    arch.$case === 'rnn'
      ? arch.value.embedding?.vocabSize
      : arch.$case === 'transformer' && arch.value.input?.$case === 'embedding'
        ? arch.value.input.value.vocabSize
        : undefined;
  return {
    issues,
    plan: {
      name: spec.name || 'model',
      inputShape: [...inputShape],
      inputDtype: usesIds ? 'int32' : 'float32',
      ...(vocabSize ? { vocabSize } : {}),
      numClasses,
      nodes: ctx.nodes,
    },
  };
}

/** All issues of a spec (errors first); empty when it builds as is. */
export function validateModelSpec(
  spec: modelbuilder.ModelSpec | undefined,
  options: PlanOptions = {},
): ValidationIssue[] {
  return [...planModel(spec, options).issues];
}

/** The plan of a valid spec; throws InvalidModelSpecError (field paths) otherwise. */
export function requirePlan(spec: modelbuilder.ModelSpec | undefined, options: PlanOptions = {}): ModelPlan {
  const { plan, issues } = planModel(spec, options);
  if (!plan) throw new InvalidModelSpecError(issues);
  return plan;
}

function planArchitecture(
  ctx: PlanContext,
  arch: NonNullable<modelbuilder.ModelSpec['architecture']>,
  inputShape: readonly number[],
  numClasses: number,
): void {
  const input: Sym = { name: INPUT_NODE, shape: inputShape };
  switch (arch.$case) {
    case 'cnn':
      planCnn(ctx, input, arch.value, numClasses, 'spec.cnn');
      return;
    case 'mlp':
      planMlp(ctx, input, arch.value, numClasses, 'spec.mlp');
      return;
    case 'rnn':
      planRnn(ctx, input, arch.value, numClasses, 'spec.rnn');
      return;
    case 'transformer':
      planTransformer(ctx, input, arch.value, numClasses, 'spec.transformer');
      return;
  }
}

function fallbackShape(kind: string): number[] {
  return kind === 'cnn' ? [32, 32, 3] : kind === 'mlp' ? [16] : [8, 8];
}

/**
 * A context that forwards field errors but drops shape errors and input-shape complaints: used to
 * check an architecture's fields when the input shape itself is missing or wrong.
 */
class PlanContextProxy extends PlanContext {
  constructor(private readonly target: PlanContext) {
    super();
  }
  override error(field: string, description: string): void {
    if (field !== 'spec.inputShape') this.target.error(field, description);
  }
  override warn(field: string, description: string): void {
    this.target.warn(field, description);
  }
  override shapeError(): void {}
}
