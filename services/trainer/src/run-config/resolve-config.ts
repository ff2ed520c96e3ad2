import { randomInt } from 'node:crypto';
import type { modelbuilder } from '@athanor/contracts';
import { training } from '@athanor/contracts';
import type { FieldViolation } from '@athanor/service-kit';
import { InvalidArgumentError } from '@athanor/service-kit';
import { parseSchedulerSpec, type SchedulerSpec, ValidationError } from '@athanor/training-core';

export type OptimizerKind = 'sgd' | 'adam' | 'adamw' | 'rmsprop';

/** A parameter group as the loop applies it (patterns over layer names). */
export interface ResolvedGroup {
  readonly name: string;
  readonly patterns: readonly string[];
  /** Absolute lr, or undefined for the optimizer's lr times `lrMultiplier`. */
  readonly lr?: number;
  readonly lrMultiplier: number;
  readonly weightDecay?: number;
  readonly frozen: boolean;
}

export interface ResolvedOptimizer {
  readonly kind: OptimizerKind;
  readonly lr: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly amsgrad: boolean;
  readonly alpha: number;
  readonly centered: boolean;
  readonly groups: readonly ResolvedGroup[];
}

export type MonitorName = 'val_loss' | 'val_top1' | 'val_top5';

export interface ResolvedEarlyStopping {
  readonly monitor: MonitorName;
  readonly mode: 'min' | 'max';
  readonly patience: number;
  readonly minDelta: number;
  readonly restoreBestWeights: boolean;
}

/**
 * A TrainConfig checked and with every default filled in: what the loop reads. Built once per run
 * by resolveTrainConfig; the wire config stays alongside for GetRun.
 */
export interface ResolvedTrainConfig {
  readonly name: string;
  readonly model: training.ModelSource;
  readonly init: modelbuilder.InitSpec | undefined;
  readonly dataset: training.DatasetSpec;
  readonly optimizer: ResolvedOptimizer;
  /** DESIGN.md's SchedulerSpec JSON (proto3 JSON), or null for a constant lr. */
  readonly scheduler: SchedulerSpec | null;
  readonly stepUnit: 'iteration' | 'epoch';
  readonly schedulerMonitor: MonitorName;
  readonly warmup: { readonly steps?: number; readonly epochs?: number; readonly startFactor: number } | null;
  readonly batchSize: number;
  readonly epochs?: number;
  readonly maxSteps?: number;
  readonly clipping:
    | { readonly kind: 'norm'; readonly maxNorm: number; readonly normType: number }
    | { readonly kind: 'value'; readonly clipValue: number }
    | null;
  readonly labelSmoothing: number;
  readonly earlyStopping: ResolvedEarlyStopping | null;
  readonly validation: {
    readonly disabled: boolean;
    readonly everyNEpochs: number;
    /** 0: by epochs. */
    readonly everyNSteps: number;
    readonly maxBatches: number;
  };
  readonly gradientStats: {
    /** 0: disabled. */
    readonly everyNSteps: number;
    readonly vanishing: number;
    readonly exploding: number;
  };
  readonly seed: number;
  readonly checkpoint: {
    readonly everyNSteps: number;
    readonly everyNEpochs: number;
    /** 0 keeps all. */
    readonly keepLast: number;
    readonly directory: string;
    readonly saveFinal: boolean;
    readonly saveBest: boolean;
  };
  readonly metrics: {
    readonly disabled: boolean;
    readonly everyNSteps: number;
    readonly perLayer: boolean;
  };
}

const MONITORS: readonly MonitorName[] = ['val_loss', 'val_top1', 'val_top5'];

/** Largest seed we accept: seeds travel as uint64 but JavaScript numbers are exact to 2^53. */
const MAX_SEED = Number.MAX_SAFE_INTEGER;

/**
 * Validates `config` (field paths start with `prefix`, e.g. "config") and fills the defaults the
 * proto documents. Throws InvalidArgumentError listing every problem.
 */
export function resolveTrainConfig(
  config: training.TrainConfig | undefined,
  prefix = 'config',
  options: { requireDuration?: boolean } = {},
): ResolvedTrainConfig {
  const v: FieldViolation[] = [];
  const bad = (field: string, description: string): void => {
    v.push({ field: `${prefix}.${field}`, description });
  };
  if (config === undefined) throw new InvalidArgumentError({ field: prefix, description: 'is required' });

  // Model.
  const model = config.model;
  if (model?.source === undefined) bad('model', 'is required (spec or artifact_uri)');
  else if (model.source.$case === 'spec' && model.source.value.architecture === undefined)
    bad('model.spec.architecture', 'is required (cnn, mlp, rnn or transformer)');
  else if (model.source.$case === 'artifactUri' && model.source.value.trim() === '')
    bad('model.artifact_uri', 'must not be empty');

  // Dataset.
  const dataset = config.dataset;
  if (dataset?.source === undefined) bad('dataset', 'is required (name, files or synthetic)');
  else {
    const s = dataset.source;
    if (s.$case === 'name' && !['mnist', 'fashion-mnist', 'synthetic'].includes(s.value))
      bad('dataset.name', `must be one of mnist, fashion-mnist, synthetic; got ${JSON.stringify(s.value)}`);
    if (s.$case === 'synthetic') {
      const syn = s.value;
      if (syn.exampleShape.length === 0 || syn.exampleShape.some((d) => !(d > 0)))
        bad('dataset.synthetic.example_shape', 'is required: positive dimensions, e.g. [28, 28, 1]');
      if (syn.numClasses !== undefined && syn.numClasses < 2)
        bad('dataset.synthetic.num_classes', `must be >= 2, got ${syn.numClasses}`);
      if (syn.trainExamples !== undefined && syn.trainExamples < 1)
        bad('dataset.synthetic.train_examples', `must be >= 1, got ${syn.trainExamples}`);
      if (syn.labelNoise < 0 || syn.labelNoise >= 1)
        bad('dataset.synthetic.label_noise', `must be in [0, 1), got ${syn.labelNoise}`);
    }
    if (
      dataset.validationSplit !== undefined &&
      !(dataset.validationSplit >= 0 && dataset.validationSplit < 1)
    )
      bad('dataset.validation_split', `must be in [0, 1), got ${dataset.validationSplit}`);
    if (dataset.maxTrainExamples < 0) bad('dataset.max_train_examples', 'must be >= 0');
    if (dataset.maxValidationExamples < 0) bad('dataset.max_validation_examples', 'must be >= 0');
  }

  // Batch size and duration.
  if (!Number.isInteger(config.batchSize) || config.batchSize < 1)
    bad('batch_size', `is required and must be an integer > 0, got ${config.batchSize}`);
  const duration = config.duration;
  let epochs: number | undefined;
  let maxSteps: number | undefined;
  if (duration === undefined) {
    if (options.requireDuration !== false) bad('duration', 'is required (epochs or max_steps)');
  } else if (duration.$case === 'epochs') {
    if (!(duration.value >= 1)) bad('epochs', `must be >= 1, got ${duration.value}`);
    epochs = duration.value;
  } else {
    if (!(duration.value >= 1)) bad('max_steps', `must be >= 1, got ${duration.value}`);
    maxSteps = duration.value;
  }

  const optimizer = resolveOptimizer(config.optimizer, bad);

  // Scheduler: validated by training-core with the same paths the JSON contract uses.
  let scheduler: SchedulerSpec | null = null;
  if (config.scheduler?.kind !== undefined) {
    const json = training.SchedulerSpec.toJSON(config.scheduler) as SchedulerSpec;
    try {
      parseSchedulerSpec(json, `${prefix}.scheduler`);
      scheduler = json;
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      v.push(...error.violations);
    }
  }
  const stepUnit =
    config.schedulerStepUnit === training.SchedulerStepUnit.SCHEDULER_STEP_UNIT_EPOCH ? 'epoch' : 'iteration';
  const schedulerMonitor = monitorOf(config.schedulerMonitor, 'scheduler_monitor', bad);

  let warmup: ResolvedTrainConfig['warmup'] = null;
  const w = config.warmup;
  if (w?.length !== undefined) {
    const startFactor = w.startFactor ?? 1 / 3;
    if (!(startFactor > 0 && startFactor <= 1))
      bad('warmup.start_factor', `must be in (0, 1], got ${startFactor}`);
    if (w.length.$case === 'steps') {
      if (!Number.isInteger(w.length.value) || w.length.value < 0)
        bad('warmup.steps', 'must be an integer >= 0');
      else if (w.length.value > 0) warmup = { steps: w.length.value, startFactor };
    } else if (!(w.length.value >= 0)) bad('warmup.epochs', 'must be >= 0');
    else if (w.length.value > 0) warmup = { epochs: w.length.value, startFactor };
  }
  // Warm-up before ReduceLROnPlateau is allowed although SequentialLR refuses the pair: the ramp
  // runs per iteration first, and the plateau scheduler watches validations only after it (as with
  // a LinearLR and a ReduceLROnPlateau each stepped on the same optimizer), see lr-plan.ts.

  let clipping: ResolvedTrainConfig['clipping'] = null;
  const gc = config.gradientClipping?.method;
  if (gc?.$case === 'globalNorm') {
    if (!(gc.value.maxNorm > 0))
      bad('gradient_clipping.global_norm.max_norm', `must be > 0, got ${gc.value.maxNorm}`);
    const normType = gc.value.normType ?? 2;
    if (!(normType > 0)) bad('gradient_clipping.global_norm.norm_type', `must be > 0, got ${normType}`);
    clipping = { kind: 'norm', maxNorm: gc.value.maxNorm, normType };
  } else if (gc?.$case === 'value') {
    if (!(gc.value.clipValue > 0))
      bad('gradient_clipping.value.clip_value', `must be > 0, got ${gc.value.clipValue}`);
    clipping = { kind: 'value', clipValue: gc.value.clipValue };
  }

  if (!(config.labelSmoothing >= 0 && config.labelSmoothing < 1))
    bad('label_smoothing', `must be in [0, 1), got ${config.labelSmoothing}`);

  let earlyStopping: ResolvedEarlyStopping | null = null;
  const es = config.earlyStopping;
  if (es !== undefined) {
    const monitor = monitorOf(es.monitor, 'early_stopping.monitor', bad);
    const patience = es.patience ?? 10;
    if (!Number.isInteger(patience) || patience < 0)
      bad('early_stopping.patience', 'must be an integer >= 0');
    const minDelta = es.minDelta ?? 0;
    if (!(minDelta >= 0)) bad('early_stopping.min_delta', 'must be >= 0');
    earlyStopping = {
      monitor,
      mode: modeOf(es.mode, monitor),
      patience,
      minDelta,
      restoreBestWeights: es.restoreBestWeights,
    };
  }

  const val = config.validation;
  const validation = {
    disabled: val?.disabled ?? false,
    everyNEpochs: val?.frequency?.$case === 'everyNEpochs' ? val.frequency.value : 1,
    everyNSteps: val?.frequency?.$case === 'everyNSteps' ? val.frequency.value : 0,
    maxBatches: val?.maxBatches ?? 0,
  };
  if (val?.frequency !== undefined && !(val.frequency.value >= 1))
    bad(
      `validation.${val.frequency.$case === 'everyNEpochs' ? 'every_n_epochs' : 'every_n_steps'}`,
      'must be >= 1',
    );
  if (validation.maxBatches < 0) bad('validation.max_batches', 'must be >= 0');
  if (
    validation.disabled &&
    (earlyStopping !== null || (scheduler !== null && 'reduceOnPlateau' in scheduler))
  )
    bad('validation.disabled', 'early stopping and reduceOnPlateau need validation');

  const gs = config.gradientStats;
  const every = gs === undefined || gs.everyNSteps === 0 ? 100 : gs.everyNSteps;
  const gradientStats = {
    everyNSteps: every < 0 ? 0 : every,
    vanishing: gs?.vanishingThreshold ?? 1e-7,
    exploding: gs?.explodingThreshold ?? 1e3,
  };
  if (!(gradientStats.vanishing >= 0)) bad('gradient_stats.vanishing_threshold', 'must be >= 0');
  if (!(gradientStats.exploding > gradientStats.vanishing))
    bad('gradient_stats.exploding_threshold', 'must be above the vanishing threshold');

  const seed = config.seed ?? randomInt(0, 2 ** 31);
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED)
    bad('seed', `must be an integer in [0, 2^53), got ${seed}`);

  const cp = config.checkpoint;
  const checkpoint = {
    everyNSteps: cp?.frequency?.$case === 'everyNSteps' ? cp.frequency.value : 0,
    everyNEpochs: cp?.frequency?.$case === 'everyNEpochs' ? cp.frequency.value : 0,
    keepLast: cp?.keepLast ?? 3,
    directory: cp?.directory ?? '',
    saveFinal: cp?.saveFinal ?? true,
    saveBest: cp?.saveBest ?? false,
  };
  if (cp?.frequency !== undefined && !(cp.frequency.value >= 1))
    bad(
      `checkpoint.${cp.frequency.$case === 'everyNSteps' ? 'every_n_steps' : 'every_n_epochs'}`,
      'must be >= 1',
    );
  if (checkpoint.keepLast < 0) bad('checkpoint.keep_last', 'must be >= 0');

  const m = config.metrics;
  const metrics = {
    disabled: m?.disabled ?? false,
    everyNSteps: m === undefined || m.everyNSteps <= 0 ? 1 : m.everyNSteps,
    perLayer: m?.perLayerGradientNorms ?? true,
  };

  if (v.length > 0) throw new InvalidArgumentError(v);
  return {
    name: config.name,
    model: model!,
    init: config.init,
    dataset: dataset!,
    optimizer,
    scheduler,
    stepUnit,
    schedulerMonitor,
    warmup,
    batchSize: config.batchSize,
    ...(epochs !== undefined ? { epochs } : {}),
    ...(maxSteps !== undefined ? { maxSteps } : {}),
    clipping,
    labelSmoothing: config.labelSmoothing,
    earlyStopping,
    validation,
    gradientStats,
    seed,
    checkpoint,
    metrics,
  };
}

function monitorOf(name: string, field: string, bad: (f: string, d: string) => void): MonitorName {
  if (name === '') return 'val_loss';
  if ((MONITORS as readonly string[]).includes(name)) return name as MonitorName;
  bad(field, `must be one of ${MONITORS.join(', ')}; got ${JSON.stringify(name)}`);
  return 'val_loss';
}

function modeOf(mode: training.MonitorMode, monitor: MonitorName): 'min' | 'max' {
  if (mode === training.MonitorMode.MONITOR_MODE_MIN) return 'min';
  if (mode === training.MonitorMode.MONITOR_MODE_MAX) return 'max';
  return monitor.includes('loss') ? 'min' : 'max';
}

function resolveOptimizer(
  spec: training.OptimizerSpec | undefined,
  bad: (field: string, description: string) => void,
): ResolvedOptimizer {
  if (spec === undefined) bad('optimizer', 'is required');
  const algorithm = spec?.algorithm;
  const kind: OptimizerKind = algorithm?.$case ?? 'sgd';
  const defaultLr = kind === 'sgd' ? undefined : kind === 'rmsprop' ? 1e-2 : 1e-3;
  const lr = spec?.lr ?? defaultLr;
  if (spec !== undefined && lr === undefined)
    bad('optimizer.lr', 'is required for SGD (PyTorch has no default)');
  else if (lr !== undefined && !(lr > 0 && Number.isFinite(lr)))
    bad('optimizer.lr', `must be a finite number > 0, got ${lr}`);
  const a = algorithm?.value ?? {};
  const num = (key: string): number | undefined => (a as Record<string, number | undefined>)[key];
  const bool = (key: string): boolean | undefined => (a as Record<string, boolean | undefined>)[key];
  const field = `optimizer.${kind}`;
  const momentum = num('momentum') ?? 0;
  const weightDecay = num('weightDecay') ?? (kind === 'adamw' ? 1e-2 : 0);
  const dampening = num('dampening') ?? 0;
  const nesterov = bool('nesterov') ?? false;
  const betas: [number, number] = [num('beta1') ?? 0.9, num('beta2') ?? 0.999];
  const eps = num('eps') ?? 1e-8;
  const alpha = num('alpha') ?? 0.99;
  if (!(momentum >= 0 && momentum < 1)) bad(`${field}.momentum`, `must be in [0, 1), got ${momentum}`);
  if (!(weightDecay >= 0)) bad(`${field}.weight_decay`, `must be >= 0, got ${weightDecay}`);
  if (!(dampening >= 0 && dampening <= 1)) bad(`${field}.dampening`, `must be in [0, 1], got ${dampening}`);
  if (nesterov && (momentum <= 0 || dampening !== 0))
    bad(`${field}.nesterov`, 'needs momentum > 0 and dampening 0');
  if (!(betas[0] >= 0 && betas[0] < 1)) bad(`${field}.beta1`, `must be in [0, 1), got ${betas[0]}`);
  if (!(betas[1] >= 0 && betas[1] < 1)) bad(`${field}.beta2`, `must be in [0, 1), got ${betas[1]}`);
  if (!(eps >= 0)) bad(`${field}.eps`, `must be >= 0, got ${eps}`);
  if (!(alpha >= 0)) bad(`${field}.alpha`, `must be >= 0, got ${alpha}`);

  const names = new Set<string>();
  const groups = (spec?.parameterGroups ?? []).map((g, i): ResolvedGroup => {
    const f = `optimizer.parameter_groups[${i}]`;
    if (g.name === '' || g.name === 'default') bad(`${f}.name`, 'is required and must not be "default"');
    else if (names.has(g.name)) bad(`${f}.name`, `"${g.name}" is used by another group`);
    else if (!/^[A-Za-z0-9_.-]{1,64}$/.test(g.name))
      bad(`${f}.name`, 'must be 1-64 of [A-Za-z0-9_.-] (a metric label)');
    names.add(g.name);
    if (g.layerPatterns.length === 0) bad(`${f}.layer_patterns`, 'needs at least one pattern');
    const lrCase = g.learningRate;
    if (lrCase !== undefined && !(lrCase.value > 0))
      bad(`${f}.${lrCase.$case === 'lr' ? 'lr' : 'lr_multiplier'}`, 'must be > 0');
    if (g.weightDecay !== undefined && !(g.weightDecay >= 0)) bad(`${f}.weight_decay`, 'must be >= 0');
    return {
      name: g.name,
      patterns: g.layerPatterns,
      ...(lrCase?.$case === 'lr' ? { lr: lrCase.value } : {}),
      lrMultiplier: lrCase?.$case === 'lrMultiplier' ? lrCase.value : 1,
      ...(g.weightDecay !== undefined ? { weightDecay: g.weightDecay } : {}),
      frozen: g.frozen,
    };
  });
  return {
    kind,
    lr: lr ?? 0,
    momentum,
    dampening,
    nesterov,
    weightDecay,
    betas,
    eps,
    amsgrad: bool('amsgrad') ?? false,
    alpha,
    centered: bool('centered') ?? false,
    groups,
  };
}
