import { tuner } from '@athanor/contracts';
import { InvalidArgumentError, type FieldViolation } from '@athanor/service-kit';
import { isPowerOfTwo } from '@athanor/training-core';
import { hyperbandPruner } from '../pruners/hyperband-pruner';
import { medianPruner } from '../pruners/median-pruner';
import { NO_PRUNING, type Pruner } from '../pruners/pruner';
import { successiveHalvingPruner } from '../pruners/successive-halving-pruner';
import { categoricalEncoding, checkNumericPath, type Json } from '../search/config-paths';
import { distinctSampler, isFiniteSpace } from '../search/distinct-sampler';
import { enumerateGrid, gridSampler, MAX_GRID_POINTS } from '../search/grid-sampler';
import { quasiRandomSampler } from '../search/quasi-random-sampler';
import { randomSampler } from '../search/random-sampler';
import type { Sampler } from '../search/sampler';
import { allowedBatchSizes, fitsMemory, NO_SCALING, type ScalingPolicy } from '../search/scaling-policy';
import { scalingSweepSampler } from '../search/scaling-sweep-sampler';
import type { Param, Space } from '../search/space';
import { TPE_DEFAULTS, tpeSampler } from '../search/tpe-sampler';

/** Names of the TrainConfig fields the scaling policy reads and writes. */
export const BATCH_PARAM_NAMES = ['batch_size', 'batchSize'];
export const LR_PARAM_NAMES = ['optimizer.lr'];

/** A study's spec, validated, with what the tuner needs to run it. */
export interface CompiledStudy {
  readonly spec: tuner.StudySpec;
  readonly space: Space;
  /** How each categorical choice is written into the TrainConfig, by parameter name. */
  readonly encodings: ReadonlyMap<string, ReadonlyMap<string, Json>>;
  readonly sampler: Sampler;
  readonly pruner: Pruner;
  readonly policy: ScalingPolicy;
  readonly metric: string;
  readonly direction: 'MINIMIZE' | 'MAXIMIZE';
  readonly seed: number;
  /** The searched batch-size parameter's name, if batch size is searched. */
  readonly batchParam: string | undefined;
}

const P = 'spec';

/**
 * Validates a StudySpec and fills its defaults (the seed among them, drawn when unset). Every
 * problem is reported at once, each naming its field, e.g.
 * `spec.searchSpace.parameters[2].doubleRange.low: must be > 0 with log`.
 */
export function compileStudy(input: tuner.StudySpec, randomSeed: () => number): CompiledStudy {
  const v: FieldViolation[] = [];
  const bad = (field: string, description: string) => v.push({ field: `${P}.${field}`, description });

  const spec = tuner.StudySpec.fromPartial(input);
  if (!spec.objective) bad('objective', 'is required (metric and direction)');
  if (!spec.baseConfig) bad('baseConfig', 'is required: the TrainConfig every trial starts from');
  const metric = spec.objective?.metric || 'val_loss';
  const direction =
    spec.objective?.direction === tuner.ObjectiveDirection.OBJECTIVE_DIRECTION_MAXIMIZE
      ? 'MAXIMIZE'
      : spec.objective?.direction === tuner.ObjectiveDirection.OBJECTIVE_DIRECTION_MINIMIZE
        ? 'MINIMIZE'
        : /loss|error/i.test(metric)
          ? 'MINIMIZE'
          : 'MAXIMIZE';
  spec.objective = {
    metric,
    direction:
      direction === 'MAXIMIZE'
        ? tuner.ObjectiveDirection.OBJECTIVE_DIRECTION_MAXIMIZE
        : tuner.ObjectiveDirection.OBJECTIVE_DIRECTION_MINIMIZE,
  };

  const policy = compilePolicy(spec.scaling, bad);
  const { space, encodings } = compileSpace(spec.searchSpace?.parameters ?? [], policy, bad);
  const batchParam = space.find((p) => BATCH_PARAM_NAMES.includes(p.name))?.name;
  if (policy.rule !== 'none') {
    (spec.searchSpace?.parameters ?? []).forEach((p, i) => {
      if (LR_PARAM_NAMES.includes(p.name))
        bad(
          `searchSpace.parameters[${i}].name`,
          `"${p.name}" is derived from the batch size by the scaling rule; search scaling.baseLr's batch size instead, or set scaling.rule NONE`,
        );
    });
    const base = spec.baseConfig?.batchSize ?? 0;
    if (
      !batchParam &&
      spec.algorithm?.kind?.$case !== 'scalingSweep' &&
      base > 0 &&
      policy.requirePowerOfTwo &&
      !isPowerOfTwo(base)
    )
      bad(
        'baseConfig.batchSize',
        `must be a power of two (16, 32, 64, ...) under the scaling policy, got ${base}`,
      );
  }

  // Budget and leases.
  const budget = spec.budget ?? { maxTrials: 0, maxParallelTrials: 0, maxDuration: undefined };
  if (budget.maxTrials < 0) bad('budget.maxTrials', `must be >= 0 (0: unlimited), got ${budget.maxTrials}`);
  if (budget.maxParallelTrials < 0)
    bad('budget.maxParallelTrials', `must be >= 0, got ${budget.maxParallelTrials}`);
  if (budget.maxDuration && durationMs(budget.maxDuration) <= 0) bad('budget.maxDuration', 'must be > 0');
  const lease = spec.lease ?? { leaseDuration: undefined, maxAttempts: undefined };
  if (lease.leaseDuration && durationMs(lease.leaseDuration) < 1000)
    bad('lease.leaseDuration', 'must be >= 1s');
  if (lease.maxAttempts !== undefined && lease.maxAttempts < 1)
    bad('lease.maxAttempts', `must be >= 1, got ${lease.maxAttempts}`);

  // Algorithm.
  const seed = spec.algorithm?.seed ?? randomSeed();
  const kind = spec.algorithm?.kind ?? { $case: 'tpe' as const, value: tuner.TpeSearch.fromPartial({}) };
  spec.algorithm = { kind, seed };
  let sampler: Sampler = randomSampler(space, seed);
  switch (kind.$case) {
    case 'grid': {
      const points = kind.value.pointsPerContinuous || 5;
      if (points < 1) bad('algorithm.grid.pointsPerContinuous', `must be >= 1, got ${points}`);
      else if (!enumerateGrid(space, points))
        bad('algorithm.grid', `the grid has more than ${MAX_GRID_POINTS} points; use random or TPE`);
      else sampler = gridSampler(space, seed, { points, shuffle: kind.value.shuffle });
      break;
    }
    case 'random':
      break;
    case 'quasiRandom':
      sampler = quasiRandomSampler(space, seed, {
        sequence:
          kind.value.sequence === tuner.QuasiRandomSequence.QUASI_RANDOM_SEQUENCE_HALTON ? 'halton' : 'sobol',
        scramble: kind.value.scramble ?? true,
      });
      break;
    case 'tpe': {
      const o = {
        nStartupTrials: kind.value.nStartupTrials ?? TPE_DEFAULTS.nStartupTrials,
        nEiCandidates: kind.value.nEiCandidates ?? TPE_DEFAULTS.nEiCandidates,
        priorWeight: kind.value.priorWeight ?? TPE_DEFAULTS.priorWeight,
        multivariate: kind.value.multivariate || kind.value.model !== tuner.TpeModel.TPE_MODEL_UNIVARIATE,
      };
      if (o.nStartupTrials < 0) bad('algorithm.tpe.nStartupTrials', `must be >= 0, got ${o.nStartupTrials}`);
      if (o.nEiCandidates < 1) bad('algorithm.tpe.nEiCandidates', `must be >= 1, got ${o.nEiCandidates}`);
      if (!(o.priorWeight > 0)) bad('algorithm.tpe.priorWeight', `must be > 0, got ${o.priorWeight}`);
      sampler = tpeSampler(space, seed, o);
      break;
    }
    case 'scalingSweep': {
      if (policy.rule === 'none')
        bad(
          'algorithm.scalingSweep',
          'needs scaling.rule LINEAR or SQRT (the sweep derives each LR from it)',
        );
      const repeats = kind.value.repeats || 1;
      if (repeats < 1) bad('algorithm.scalingSweep.repeats', `must be >= 1, got ${repeats}`);
      let sizes: number[] = [];
      try {
        sizes = allowedBatchSizes(policy);
      } catch {
        // reported by compilePolicy
      }
      if (policy.rule !== 'none' && sizes.length === 0)
        bad('scaling', 'no batch size between min and max fits the memory budget');
      sampler = scalingSweepSampler(space, seed, {
        batchSizes: sizes,
        repeats,
        batchParam: batchParam ?? 'batch_size',
      });
      break;
    }
  }
  // Grid and scaling sweep choose their points (the sweep repeats on purpose); the others may not
  // repeat a point of a finite space before it is exhausted.
  if (
    (kind.$case === 'random' || kind.$case === 'quasiRandom' || kind.$case === 'tpe') &&
    isFiniteSpace(space)
  )
    sampler = distinctSampler(sampler, space, seed);

  const pruner = compilePruner(spec.pruner, bad);
  if (v.length > 0) throw new InvalidArgumentError(v);
  return { spec, space, encodings, sampler, pruner, policy, metric, direction, seed, batchParam };
}

export function durationMs(d: { seconds: number; nanos: number }): number {
  return d.seconds * 1000 + d.nanos / 1e6;
}

type Bad = (field: string, description: string) => void;

function compilePolicy(s: tuner.ScalingPolicy | undefined, bad: Bad): ScalingPolicy {
  if (!s) return NO_SCALING;
  const rule =
    s.rule === tuner.ScalingRule.SCALING_RULE_LINEAR
      ? 'linear'
      : s.rule === tuner.ScalingRule.SCALING_RULE_SQRT
        ? 'sqrt'
        : 'none';
  const policy: ScalingPolicy = {
    rule,
    referenceBatchSize: s.referenceBatchSize,
    baseLr: s.baseLr,
    warmupEpochs: s.warmupEpochs,
    minBatchSize: s.minBatchSize || 16,
    maxBatchSize: s.maxBatchSize || 4096,
    requirePowerOfTwo: s.requirePowerOfTwo ?? true,
    memoryBudgetBytes: s.memoryBudgetBytes,
    perSampleBytes: s.perSampleBytes,
    fixedBytes: s.fixedBytes,
  };
  const pow2 = (field: string, n: number) => {
    if (policy.requirePowerOfTwo && n > 0 && !isPowerOfTwo(n))
      bad(field, `must be a power of two (16, 32, 64, ...), got ${n}`);
  };
  if (rule !== 'none') {
    if (!(s.referenceBatchSize > 0))
      bad('scaling.referenceBatchSize', `is required with rule ${rule.toUpperCase()} (> 0)`);
    if (!(s.baseLr > 0) || !Number.isFinite(s.baseLr))
      bad('scaling.baseLr', `is required with rule ${rule.toUpperCase()} (> 0)`);
    pow2('scaling.referenceBatchSize', s.referenceBatchSize);
  }
  if (!(s.warmupEpochs >= 0) || !Number.isFinite(s.warmupEpochs))
    bad('scaling.warmupEpochs', `must be >= 0, got ${s.warmupEpochs}`);
  if (s.minBatchSize < 0) bad('scaling.minBatchSize', `must be > 0, got ${s.minBatchSize}`);
  if (s.maxBatchSize < 0) bad('scaling.maxBatchSize', `must be > 0, got ${s.maxBatchSize}`);
  pow2('scaling.minBatchSize', s.minBatchSize);
  pow2('scaling.maxBatchSize', s.maxBatchSize);
  if (policy.minBatchSize > policy.maxBatchSize)
    bad(
      'scaling.maxBatchSize',
      `must be >= minBatchSize (${policy.minBatchSize}), got ${policy.maxBatchSize}`,
    );
  if (s.memoryBudgetBytes < 0) bad('scaling.memoryBudgetBytes', 'must be >= 0');
  if (s.perSampleBytes < 0) bad('scaling.perSampleBytes', 'must be >= 0');
  if (s.fixedBytes < 0) bad('scaling.fixedBytes', 'must be >= 0');
  if (policy.memoryBudgetBytes > 0 && policy.perSampleBytes > 0 && !s.maxBatchSize) {
    // Default max: the largest power of two that fits the budget.
    let max = 16;
    while (fitsMemory(policy, max * 2) && max < 1 << 20) max *= 2;
    return { ...policy, maxBatchSize: Math.max(policy.minBatchSize, max) };
  }
  return policy;
}

function compileSpace(
  specs: readonly tuner.ParameterSpec[],
  policy: ScalingPolicy,
  bad: Bad,
): { space: Param[]; encodings: Map<string, Map<string, Json>> } {
  const space: Param[] = [];
  const encodings = new Map<string, Map<string, Json>>();
  const seen = new Set<string>();
  specs.forEach((s, i) => {
    const at = `searchSpace.parameters[${i}]`;
    const before = space.length;
    if (!s.name) return bad(`${at}.name`, 'is required: a TrainConfig field path such as "optimizer.lr"');
    if (seen.has(s.name)) return bad(`${at}.name`, `duplicate parameter "${s.name}"`);
    seen.add(s.name);
    let condition: Param['condition'];
    if (s.condition) {
      const parent = space.find((p) => p.name === s.condition!.parent);
      if (!parent)
        bad(`${at}.condition.parent`, `"${s.condition.parent}" must be a parameter declared before this one`);
      if (s.condition.parentValues.length === 0)
        bad(`${at}.condition.parentValues`, 'needs at least one value');
      if (parent?.kind === 'categorical')
        s.condition.parentValues.forEach((x, k) => {
          if (!parent.choices.includes(x))
            bad(`${at}.condition.parentValues[${k}]`, `"${x}" is not a choice of "${parent.name}"`);
        });
      condition = { parent: s.condition.parent, values: s.condition.parentValues };
    }
    const isBatch = BATCH_PARAM_NAMES.includes(s.name);
    const d = s.domain;
    if (!d) return bad(`${at}.domain`, 'is required: doubleRange, intRange, discrete or categorical');
    if (d.$case === 'doubleRange') {
      const { low, high, log, step } = d.value;
      const f = `${at}.doubleRange`;
      if (!Number.isFinite(low) || !Number.isFinite(high)) return bad(f, 'low and high must be finite');
      if (!(low < high))
        return bad(`${f}.high`, `must be > low (${low}), got ${high}: the range is empty or inverted`);
      if (log && low <= 0) return bad(`${f}.low`, `must be > 0 with log, got ${low}`);
      if (step !== undefined && log) return bad(`${f}.step`, 'is not allowed with log');
      if (step !== undefined && !(step > 0)) return bad(`${f}.step`, `must be > 0, got ${step}`);
      space.push({
        kind: 'double',
        name: s.name,
        low,
        high,
        log,
        ...(step !== undefined ? { step } : {}),
        ...(condition ? { condition } : {}),
      });
    } else if (d.$case === 'intRange') {
      const { low, high, log } = d.value;
      const step = d.value.step ?? 1;
      const f = `${at}.intRange`;
      if (!(low <= high)) return bad(`${f}.high`, `must be >= low (${low}), got ${high}: the range is empty`);
      if (log && low < 1) return bad(`${f}.low`, `must be >= 1 with log, got ${low}`);
      if (d.value.step !== undefined && log) return bad(`${f}.step`, 'is not allowed with log');
      if (step < 1) return bad(`${f}.step`, `must be >= 1, got ${step}`);
      if (isBatch && policy.requirePowerOfTwo && policy !== NO_SCALING) {
        // A power-of-two policy turns a batch-size range into the powers of two inside it.
        if (!isPowerOfTwo(low))
          return bad(
            `${f}.low`,
            `must be a power of two (16, 32, 64, ...) under the scaling policy, got ${low}`,
          );
        if (!isPowerOfTwo(high))
          return bad(
            `${f}.high`,
            `must be a power of two (16, 32, 64, ...) under the scaling policy, got ${high}`,
          );
        const values: number[] = [];
        for (let b = low; b <= high; b *= 2) values.push(b);
        space.push({ kind: 'discrete', name: s.name, values, ...(condition ? { condition } : {}) });
      } else {
        space.push({ kind: 'int', name: s.name, low, high, log, step, ...(condition ? { condition } : {}) });
      }
    } else if (d.$case === 'discrete') {
      const values = d.value.values;
      const f = `${at}.discrete.values`;
      if (values.length === 0) return bad(f, 'needs at least one value');
      if (new Set(values).size !== values.length) return bad(f, 'values must be distinct');
      if (!values.every(Number.isFinite)) return bad(f, 'values must be finite');
      if (isBatch && policy.requirePowerOfTwo && policy !== NO_SCALING) {
        const k = values.findIndex((x) => !isPowerOfTwo(x));
        if (k >= 0)
          return bad(
            `${f}[${k}]`,
            `must be a power of two (16, 32, 64, ...) under the scaling policy, got ${values[k]}`,
          );
      }
      space.push({
        kind: 'discrete',
        name: s.name,
        values: [...values].sort((a, b) => a - b),
        ...(condition ? { condition } : {}),
      });
    } else {
      const choices = d.value.choices;
      const f = `${at}.categorical.choices`;
      if (choices.length === 0) return bad(f, 'needs at least one choice');
      if (new Set(choices).size !== choices.length) return bad(f, 'choices must be distinct');
      const enc = new Map<string, Json>();
      choices.forEach((c, k) => {
        const e = categoricalEncoding(s.name, c);
        if (e === undefined)
          bad(
            `${f}[${k}]`,
            `"${c}" cannot be written to TrainConfig field "${s.name}" (unknown field, or not a value of it)`,
          );
        else enc.set(c, e);
      });
      encodings.set(s.name, enc);
      space.push({ kind: 'categorical', name: s.name, choices, ...(condition ? { condition } : {}) });
    }
    const p = space[before];
    if (p && p.kind !== 'categorical') {
      const probes =
        p.kind === 'discrete'
          ? p.values
          : p.kind === 'int'
            ? [p.low, p.high]
            : [p.low, p.high, (p.low + p.high) / 2];
      const why = checkNumericPath(
        p.name,
        p.kind === 'double' && !p.step
          ? [p.high === 0 ? p.low : p.high, 0.123456789 * (p.high || 1)]
          : probes,
      );
      if (why) bad(`${at}.name`, `"${p.name}" ${why}`);
      if (isBatch && p.kind === 'discrete' && policy !== NO_SCALING) {
        const fit = p.values.filter((b) => fitsMemory(policy, b));
        if (fit.length === 0)
          bad(`${at}`, `no batch size fits scaling.memoryBudgetBytes (${policy.memoryBudgetBytes} bytes)`);
        else if (fit.length < p.values.length) space[before] = { ...p, values: fit };
      }
    }
  });
  return { space, encodings };
}

function compilePruner(p: tuner.Pruner | undefined, bad: Bad): Pruner {
  const k = p?.kind;
  if (!k) return NO_PRUNING;
  const positive = (field: string, x: number, min = 1) => {
    if (!(x >= min)) bad(`pruner.${field}`, `must be >= ${min}, got ${x}`);
  };
  switch (k.$case) {
    case 'median': {
      const o = {
        nStartupTrials: k.value.nStartupTrials ?? 5,
        nWarmupSteps: k.value.nWarmupSteps,
        intervalSteps: k.value.intervalSteps ?? 1,
      };
      positive('median.nStartupTrials', o.nStartupTrials, 0);
      positive('median.nWarmupSteps', o.nWarmupSteps, 0);
      positive('median.intervalSteps', o.intervalSteps);
      return medianPruner(o);
    }
    case 'successiveHalving':
    case 'asha': {
      const o = {
        minResource: k.value.minResource ?? 1,
        reductionFactor: k.value.reductionFactor ?? 4,
        minEarlyStoppingRate: k.value.minEarlyStoppingRate,
        synchronous: k.$case === 'successiveHalving',
      };
      positive(`${k.$case}.minResource`, o.minResource);
      positive(`${k.$case}.reductionFactor`, o.reductionFactor, 2);
      positive(`${k.$case}.minEarlyStoppingRate`, o.minEarlyStoppingRate, 0);
      return successiveHalvingPruner(o);
    }
    case 'hyperband': {
      const o = {
        minResource: k.value.minResource ?? 1,
        maxResource: k.value.maxResource,
        reductionFactor: k.value.reductionFactor ?? 3,
      };
      positive('hyperband.minResource', o.minResource);
      positive('hyperband.reductionFactor', o.reductionFactor, 2);
      if (o.maxResource !== 0 && o.maxResource < o.minResource)
        bad('hyperband.maxResource', `must be >= minResource (${o.minResource}) or 0`);
      return hyperbandPruner(o);
    }
  }
}
