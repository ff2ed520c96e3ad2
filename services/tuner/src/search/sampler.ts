import type { Params, Space } from './space';

/** A finished trial as the model-based samplers see it. */
export interface Observation {
  readonly number: number;
  readonly params: Params;
  /** The objective as a loss (lower is better; maximised objectives are negated). */
  readonly loss: number;
  /** Pruned trials rank after completed ones, deeper steps first (as Optuna's TPE ranks them). */
  readonly pruned: boolean;
  readonly step: number;
}

/** What a sampler may read to propose trial `number`. */
export interface SampleContext {
  readonly number: number;
  /** Finished trials (completed and pruned); only model-based samplers read it. */
  readonly history: readonly Observation[];
  /** Parameters of every trial the study has made, in any state; read by samplers with needsTaken. */
  readonly taken?: readonly Params[];
}

/**
 * Proposes parameters for trial `number`. Samplers are deterministic functions of (seed, number,
 * history), so a restarted tuner proposes what the old one would have.
 */
export interface Sampler {
  /** Reads the history (model-based); the tuner loads it only for these. */
  readonly needsHistory: boolean;
  /** Reads the parameters of every trial made so far (distinctSampler); loaded only for these. */
  readonly needsTaken?: boolean;
  /** How many trials the sampler can produce (grid, sweep), or Infinity. */
  readonly size: number;
  /** Parameters for trial `number`, or undefined when the sampler is exhausted. */
  propose(context: SampleContext): Params | undefined;
}

export type { Params, Space };
