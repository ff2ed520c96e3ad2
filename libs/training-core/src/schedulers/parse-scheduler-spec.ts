import { ValidationError, type FieldViolation } from '../errors';
import { compileExpression, ExpressionError } from '../expression';
import { FieldReader, isPlainObject, show } from './field-reader';
import { SCHEDULER_KINDS, type SchedulerConfig, type SchedulerKind } from './scheduler-spec';

/**
 * Validates DESIGN.md's SchedulerSpec JSON (from `unknown`) and fills PyTorch 1.13's defaults.
 * Throws one ValidationError listing every problem, each with its field path under `path`
 * (e.g. `spec.reduceOnPlateau.factor`).
 */
export function parseSchedulerSpec(json: unknown, path = 'spec'): SchedulerConfig {
  const violations: FieldViolation[] = [];
  const config = readSpec(json, path, violations);
  if (violations.length > 0) throw new ValidationError(violations);
  return config!;
}

function readSpec(json: unknown, path: string, violations: FieldViolation[]): SchedulerConfig | undefined {
  if (!isPlainObject(json)) {
    violations.push({
      field: path,
      description: `must be an object with one key naming the scheduler kind, got ${show(json)}`,
    });
    return undefined;
  }
  const keys = Object.keys(json);
  if (keys.length !== 1) {
    const description =
      keys.length === 0
        ? `must name a scheduler kind (one of ${SCHEDULER_KINDS.join(', ')})`
        : `must hold exactly one scheduler kind, got ${keys.join(', ')}`;
    violations.push({ field: path, description });
    return undefined;
  }
  const kind = keys[0];
  if (!(SCHEDULER_KINDS as readonly string[]).includes(kind)) {
    violations.push({
      field: `${path}.${kind}`,
      description: `unknown scheduler kind '${kind}'; expected one of ${SCHEDULER_KINDS.join(', ')}`,
    });
    return undefined;
  }
  const body = json[kind];
  const fieldPath = `${path}.${kind}`;
  if (!isPlainObject(body)) {
    violations.push({
      field: fieldPath,
      description: `must be an object of ${kind} fields, got ${show(body)}`,
    });
    return undefined;
  }
  return READERS[kind as SchedulerKind](body, fieldPath, violations);
}

type Reader = (body: Record<string, unknown>, path: string, violations: FieldViolation[]) => SchedulerConfig;

const factorRange = { min: 0, max: 1 };

const READERS: Record<SchedulerKind, Reader> = {
  step: (body, path, v) => {
    const r = new FieldReader(body, path, v, ['stepSize', 'gamma']);
    return {
      kind: 'step',
      stepSize: r.number('stepSize', undefined, { integer: true, min: 1 }),
      gamma: r.number('gamma', 0.1, { min: 0 }),
    };
  },
  multiStep: (body, path, v) => {
    const r = new FieldReader(body, path, v, ['milestones', 'gamma']);
    return {
      kind: 'multiStep',
      milestones: r.numberList('milestones', { integer: true, min: 0 }),
      gamma: r.number('gamma', 0.1, { min: 0 }),
    };
  },
  exponential: (body, path, v) => {
    const r = new FieldReader(body, path, v, ['gamma']);
    return { kind: 'exponential', gamma: r.number('gamma', undefined, { min: 0 }) };
  },
  cosineAnnealing: (body, path, v) => {
    const r = new FieldReader(body, path, v, ['tMax', 'etaMin']);
    return {
      kind: 'cosineAnnealing',
      tMax: r.number('tMax', undefined, { integer: true, min: 1 }),
      etaMin: r.number('etaMin', 0, { min: 0 }),
    };
  },
  cosineAnnealingWarmRestarts: (body, path, v) => {
    const r = new FieldReader(body, path, v, ['t0', 'tMult', 'etaMin']);
    // PyTorch: "Expected positive integer T_0" and "Expected integer T_mult >= 1".
    return {
      kind: 'cosineAnnealingWarmRestarts',
      t0: r.number('t0', undefined, { integer: true, min: 1 }),
      tMult: r.number('tMult', 1, { integer: true, min: 1 }),
      etaMin: r.number('etaMin', 0, { min: 0 }),
    };
  },
  reduceOnPlateau: (body, path, v) => {
    const r = new FieldReader(body, path, v, [
      'mode',
      'factor',
      'patience',
      'threshold',
      'thresholdMode',
      'cooldown',
      'minLr',
      'eps',
    ]);
    return {
      kind: 'reduceOnPlateau',
      mode: r.choice('mode', ['min', 'max'] as const, 'min'),
      // PyTorch: "Factor should be < 1.0."
      factor: r.number('factor', 0.1, { min: 0, below: 1 }),
      patience: r.number('patience', 10, { integer: true, min: 0 }),
      threshold: r.number('threshold', 1e-4, { min: 0 }),
      thresholdMode: r.choice('thresholdMode', ['rel', 'abs'] as const, 'rel'),
      cooldown: r.number('cooldown', 0, { integer: true, min: 0 }),
      minLr: r.numberOrList('minLr', 0, { min: 0 }),
      eps: r.number('eps', 1e-8, { min: 0 }),
    };
  },
  lambda: (body, path, v) => {
    const r = new FieldReader(body, path, v, ['expression']);
    const expression = r.string('expression');
    if (typeof body.expression === 'string') {
      try {
        const compiled = compileExpression(expression, ['epoch']);
        // PyTorch evaluates the lambda at epoch 0 in the constructor, so a failure there is a spec error.
        compiled.evaluate({ epoch: 0 });
      } catch (error) {
        if (!(error instanceof ExpressionError)) throw error;
        r.fail('expression', `${error.message} in '${expression}'`);
      }
    }
    return { kind: 'lambda', expression };
  },
  linear: (body, path, v) => {
    const r = new FieldReader(body, path, v, ['startFactor', 'endFactor', 'totalIters']);
    return {
      kind: 'linear',
      // PyTorch 1.13 accepts 0 but then divides by zero on the first step; later versions reject it.
      startFactor: r.number('startFactor', 1 / 3, { above: 0, max: 1 }),
      endFactor: r.number('endFactor', 1.0, factorRange),
      totalIters: r.number('totalIters', 5, { integer: true, min: 1 }),
    };
  },
  constant: (body, path, v) => {
    const r = new FieldReader(body, path, v, ['factor', 'totalIters']);
    return {
      kind: 'constant',
      // 0 would divide by zero at totalIters in PyTorch's chainable form (lr * 1/factor).
      factor: r.number('factor', 1 / 3, { above: 0, max: 1 }),
      totalIters: r.number('totalIters', 5, { integer: true, min: 1 }),
    };
  },
  polynomial: (body, path, v) => {
    const r = new FieldReader(body, path, v, ['totalIters', 'power']);
    return {
      kind: 'polynomial',
      totalIters: r.number('totalIters', 5, { integer: true, min: 1 }),
      power: r.number('power', 1.0, { min: 0 }),
    };
  },
  oneCycle: readOneCycle,
  sequential: (body, path, v) => {
    const r = new FieldReader(body, path, v, ['schedulers', 'milestones']);
    const schedulers = readChildren(r, v, 'sequential');
    const milestones = r.numberList('milestones', { integer: true, min: 1 });
    milestones.forEach((m, i) => {
      if (i > 0 && m <= milestones[i - 1])
        r.fail(`milestones[${i}]`, `must be greater than the previous milestone (${milestones[i - 1]})`);
    });
    // PyTorch: "Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points".
    if (
      Array.isArray(body.schedulers) &&
      Array.isArray(body.milestones) &&
      milestones.length !== schedulers.length - 1
    ) {
      r.fail(
        'milestones',
        `must have one fewer entry than schedulers (${schedulers.length} schedulers, ${milestones.length} milestones)`,
      );
    }
    return { kind: 'sequential', schedulers, milestones };
  },
  chained: (body, path, v) => {
    const r = new FieldReader(body, path, v, ['schedulers']);
    return { kind: 'chained', schedulers: readChildren(r, v, 'chained') };
  },
};

function readOneCycle(body: Record<string, unknown>, path: string, v: FieldViolation[]): SchedulerConfig {
  const r = new FieldReader(body, path, v, [
    'maxLr',
    'totalSteps',
    'epochs',
    'stepsPerEpoch',
    'pctStart',
    'annealStrategy',
    'cycleMomentum',
    'baseMomentum',
    'maxMomentum',
    'divFactor',
    'finalDivFactor',
    'threePhase',
  ]);
  const positiveInt = { integer: true, min: 1 };
  let totalSteps: number;
  // PyTorch: total_steps wins; otherwise epochs * steps_per_epoch; one of the two is required.
  if (body.totalSteps === undefined && body.epochs === undefined && body.stepsPerEpoch === undefined) {
    r.fail('totalSteps', 'is required (or give both epochs and stepsPerEpoch)');
    totalSteps = NaN;
  } else if (body.totalSteps !== undefined) {
    totalSteps = r.number('totalSteps', undefined, positiveInt);
  } else {
    totalSteps =
      r.number('epochs', undefined, positiveInt) * r.number('stepsPerEpoch', undefined, positiveInt);
  }
  return {
    kind: 'oneCycle',
    maxLr: r.numberOrList('maxLr', undefined, { min: 0 }),
    totalSteps,
    pctStart: r.number('pctStart', 0.3, { min: 0, max: 1 }),
    annealStrategy: r.choice('annealStrategy', ['cos', 'linear'] as const, 'cos'),
    cycleMomentum: r.boolean('cycleMomentum', true),
    baseMomentum: r.numberOrList('baseMomentum', 0.85, { min: 0 }),
    maxMomentum: r.numberOrList('maxMomentum', 0.95, { min: 0 }),
    divFactor: r.number('divFactor', 25, { above: 0 }),
    finalDivFactor: r.number('finalDivFactor', 1e4, { above: 0 }),
    threePhase: r.boolean('threePhase', false),
  };
}

// Kinds PyTorch cannot run inside a composite: SequentialLR and ChainedScheduler call step() with
// no metric (ReduceLROnPlateau needs one), and SequentialLR rewinds and restarts its children by
// `last_epoch` and step(0), which a nested SequentialLR or ChainedScheduler does not have.
const NOT_NESTABLE: Record<'sequential' | 'chained', readonly SchedulerKind[]> = {
  sequential: ['reduceOnPlateau', 'sequential', 'chained'],
  chained: ['reduceOnPlateau'],
};

function readChildren(
  r: FieldReader,
  v: FieldViolation[],
  parent: 'sequential' | 'chained',
): SchedulerConfig[] {
  const list = r.object.schedulers;
  if (!Array.isArray(list) || list.length === 0) {
    r.fail(
      'schedulers',
      list === undefined
        ? 'is required (a non-empty list of SchedulerSpec)'
        : `must be a non-empty list of SchedulerSpec, got ${show(list)}`,
    );
    return [];
  }
  return list.map((child, i) => {
    const childPath = `${r.path}.schedulers[${i}]`;
    const config = readSpec(child, childPath, v);
    if (config && NOT_NESTABLE[parent].includes(config.kind)) {
      v.push({
        field: `${childPath}.${config.kind}`,
        description: `${config.kind} cannot run inside ${parent} (PyTorch cannot step it there)`,
      });
    }
    return config!;
  });
}
