import { materialize, type Materialized } from '../search/materialize';
import type { Params } from '../search/space';
import type { CompiledStudy } from '../study/compile-study';
import { bytesAt, largestBatchWithin, type MemoryCost, memoryCostOf } from './memory-cost';

/** A proposal made ready to create for one worker. */
export interface FittedTrial {
  readonly params: Params;
  readonly materialized: Materialized;
  /** Estimated training memory of the config that trains; null when unknown. */
  readonly memoryBytes: number | null;
  /** Set when it does not fit the worker even so: why, for the trial's event. */
  readonly tooBig?: string;
}

/**
 * Makes a new suggestion fit a worker's memory budget (0: unknown, anything fits).
 *
 * What a Katib or Optuna user expects decides the policy:
 * - Random, quasi-random and TPE studies: the batch-size domain is capped to what fits this
 *   worker, and the proposal's batch size becomes the largest allowed one not above it. That is
 *   what Optuna users write by hand (`suggest_categorical("batch_size", [b for b in sizes if
 *   fits(b)])`): the trial records the batch size it trained with, so TPE learns from what really
 *   ran, and a fleet of identical small workers (the usual Deployment) keeps working instead of
 *   waiting for a bigger worker that never comes.
 * - Grid and scaling-sweep studies enumerate points that are the experiment: capping would run a
 *   duplicate of another point and never this one (a sweep exists to compare batch sizes). Such a
 *   point, and any proposal too big even at its smallest batch size (a searched model), is left
 *   queued for a worker with more memory, as Katib leaves a trial Pending until a node fits it.
 * Trials already queued (re-queued after a lapsed lease, with a checkpoint) are never changed: the
 * store leases them only to workers they fit.
 */
export function fitToBudget(study: CompiledStudy, proposed: Params, budget: number): FittedTrial {
  const materialized = materialize(study, proposed);
  const cost = costOf(study, materialized);
  if (!cost) return { params: proposed, materialized, memoryBytes: null };
  const batch = materialized.config.batchSize;
  const bytes = bytesAt(cost, batch);
  if (budget <= 0 || bytes <= budget) return { params: proposed, materialized, memoryBytes: bytes };
  const capped = Number.isFinite(study.sampler.size)
    ? undefined
    : capBatch(study, proposed, largestBatchWithin(cost, budget));
  if (capped !== undefined) {
    const params = { ...proposed, [study.batchParam!]: capped };
    const again = materialize(study, params);
    return { params, materialized: again, memoryBytes: bytesAt(cost, again.config.batchSize) };
  }
  return {
    params: proposed,
    materialized,
    memoryBytes: bytes,
    tooBig: `needs about ${formatBytes(bytes)} to train at batch size ${batch} (${cost.source}), over the worker's memory budget of ${formatBytes(budget)}`,
  };
}

/** The least memory any trial of the study can need, when the study tells (its model is not searched). */
export interface MemoryFloor {
  readonly bytes: number;
  readonly batchSize: number;
  readonly cost: MemoryCost;
}

const floors = new WeakMap<CompiledStudy, MemoryFloor | null>();

export function memoryFloor(study: CompiledStudy): MemoryFloor | undefined {
  let floor = floors.get(study);
  if (floor === undefined) {
    floor = computeFloor(study) ?? null;
    floors.set(study, floor);
  }
  return floor ?? undefined;
}

/** Why a worker with `budget` bytes can never run a trial of the study; undefined when it can or may. */
export function neverFits(study: CompiledStudy, budget: number): string | undefined {
  if (budget <= 0) return undefined;
  const floor = memoryFloor(study);
  if (!floor || floor.bytes <= budget) return undefined;
  return (
    `no trial of study "${study.spec.name}" fits memory_budget_bytes ${budget} (${formatBytes(budget)}): ` +
    `its model needs about ${formatBytes(floor.bytes)} to train at its smallest batch size, ${floor.batchSize} ` +
    `(${floor.cost.source}: ${formatBytes(floor.cost.fixedBytes)} + ${formatBytes(floor.cost.perSampleBytes)} per sample); ` +
    'ask from a worker with more memory, or give the study a smaller model or batch size'
  );
}

function computeFloor(study: CompiledStudy): MemoryFloor | undefined {
  // A searched model or dataset changes the estimate trial by trial: no floor can be told.
  if (study.space.some((p) => /^(model|dataset)([.[]|$)/.test(p.name))) return undefined;
  const param = study.space.find((p) => p.name === study.batchParam);
  const smallest =
    param?.kind === 'discrete' ? Math.min(...param.values) : param?.kind === 'int' ? param.low : undefined;
  const candidates: Params[] = smallest === undefined ? [{}] : [{ [param!.name]: smallest }];
  // A conditional batch parameter is sometimes absent: the base config's batch size trains then.
  if (param?.condition) candidates.push({});
  let best: MemoryFloor | undefined;
  for (const params of candidates) {
    const materialized = materialize(study, params);
    const cost = costOf(study, materialized);
    if (!cost) return undefined;
    const batchSize = materialized.config.batchSize;
    const bytes = bytesAt(cost, batchSize);
    if (!best || bytes < best.bytes) best = { bytes, batchSize, cost };
  }
  return best;
}

/** The largest value of the batch-size domain at most min(proposed, limit); undefined when none. */
function capBatch(study: CompiledStudy, proposed: Params, limit: number): number | undefined {
  const name = study.batchParam;
  const param = study.space.find((p) => p.name === name);
  const current = name === undefined ? undefined : proposed[name];
  if (!param || typeof current !== 'number') return undefined;
  const max = Math.min(current, limit);
  if (param.kind === 'discrete') {
    const fits = param.values.filter((v) => v <= max);
    return fits.length ? Math.max(...fits) : undefined;
  }
  if (param.kind === 'int') {
    if (max < param.low) return undefined;
    return param.log ? Math.floor(max) : param.low + Math.floor((max - param.low) / param.step) * param.step;
  }
  return undefined;
}

// The estimate depends on the model and the dataset only; many trials share them.
const costs = new WeakMap<CompiledStudy, Map<string, MemoryCost | null>>();
const MAX_CACHED_COSTS = 256;

function costOf(study: CompiledStudy, { config }: Materialized): MemoryCost | undefined {
  let cache = costs.get(study);
  if (!cache) costs.set(study, (cache = new Map<string, MemoryCost | null>()));
  const key = JSON.stringify([config.model, config.dataset]);
  let cost = cache.get(key);
  if (cost === undefined) {
    if (cache.size >= MAX_CACHED_COSTS) cache.clear();
    cost = memoryCostOf(config, study.policy) ?? null;
    cache.set(key, cost);
  }
  return cost ?? undefined;
}

/** Bytes for people: 1.5 GiB, 220.0 MiB, 12.0 KiB, 512 B. */
function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10],
  ] as const)
    if (bytes >= size) return `${(bytes / size).toFixed(1)} ${unit}`;
  return `${bytes} B`;
}
