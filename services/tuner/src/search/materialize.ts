import { training } from '@athanor/contracts';
import type { CompiledStudy } from '../study/compile-study';
import { writeParams, type Json, type JsonObject } from './config-paths';
import { scaleTrial, type TrialScalingResult } from './scaling-policy';
import type { Params } from './space';

/** What a trial trains: the base config with its parameters, and the scaling the policy applied. */
export interface Materialized {
  readonly config: training.TrainConfig;
  readonly scaling: TrialScalingResult | undefined;
}

/** The batch size a trial trains with: its searched value, else the base config's. */
export function batchSizeOf(study: CompiledStudy, params: Params): number {
  const searched = study.batchParam ? params[study.batchParam] : undefined;
  return typeof searched === 'number' ? searched : (study.spec.baseConfig?.batchSize ?? 0);
}

/**
 * Writes the trial's parameters into the base TrainConfig by field path; with a scaling rule, the
 * LR (optimizer.lr) is derived from the batch size and a warm-up from base_lr is added.
 */
export function materialize(study: CompiledStudy, params: Params): Materialized {
  const base = training.TrainConfig.toJSON(
    study.spec.baseConfig ?? training.TrainConfig.fromPartial({}),
  ) as JsonObject;
  const writes: { path: string; value: Json }[] = [];
  for (const p of study.space) {
    const v = params[p.name];
    if (v === undefined) continue;
    writes.push({
      path: p.name,
      value: p.kind === 'categorical' ? (study.encodings.get(p.name)?.get(String(v)) ?? String(v)) : v,
    });
  }
  const batch = batchSizeOf(study, params);
  const scaling = batch > 0 ? scaleTrial(study.policy, batch) : undefined;
  if (scaling) {
    writes.push({ path: 'batchSize', value: scaling.batchSize }, { path: 'optimizer.lr', value: scaling.lr });
    if (scaling.warmupEpochs > 0)
      writes.push({
        path: 'warmup',
        value: { epochs: scaling.warmupEpochs, startFactor: scaling.warmupStartFactor },
      });
  }
  return { config: training.TrainConfig.fromJSON(writeParams(base, writes)), scaling };
}
