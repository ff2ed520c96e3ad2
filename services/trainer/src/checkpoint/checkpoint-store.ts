import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { training } from '@athanor/contracts';
import { dropoutCalls, seedDropout } from '@athanor/models';
import { InvalidArgumentError, resolveInside } from '@athanor/service-kit';
import type { OptimizerState, VariableState } from '@athanor/training-core';
import * as tf from '@tensorflow/tfjs';
import type { LrPlan } from '../loop/lr-plan';
import type { TrainingSession } from '../loop/session';
import type { LoopProgress } from '../loop/training-loop';
import type { ResolvedTrainConfig } from '../run-config/resolve-config';
import { readCheckpointFile, writeCheckpointFile } from './checkpoint-file';

const FORMAT = 'athanor.checkpoint/v1';

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

/** The parts of a config a resumed run must share with the checkpointed one. */
export interface CheckpointIdentity {
  readonly model: unknown;
  readonly dataset: unknown;
  readonly batchSize: number;
  readonly optimizer: string;
  readonly seed: number;
}

interface Header {
  readonly format: typeof FORMAT;
  readonly runId: string;
  readonly trialId: string;
  readonly createdAt: string;
  readonly identity: CheckpointIdentity;
  readonly progress: LoopProgress;
  readonly plan: unknown;
  readonly weightShapes: number[][];
  readonly optimizer: {
    readonly kind: string;
    readonly stepCount: number;
    readonly groups: readonly Readonly<Record<string, unknown>>[];
    readonly variables: Record<string, { step: number; slots: Record<string, number[]> }>;
  };
  /**
   * Data order and augmentation derive from (seed, epoch, batch); dropout mask n of site i from
   * (seed, i, n), so the masks each site has drawn complete the RNG state. Checkpoints written
   * before dropout was seeded have no `dropoutCalls`; their runs resume with every site at mask 0.
   */
  readonly rng: {
    readonly seed: number;
    readonly epoch: number;
    readonly batch: number;
    readonly dropoutCalls?: readonly number[];
  };
}

/** A checkpoint read back, ready to be applied to a freshly built session. */
export interface RestoredCheckpoint {
  readonly ref: training.CheckpointRef;
  readonly identity: CheckpointIdentity;
  readonly seed: number;
  apply(session: TrainingSession, plan: LrPlan, progress: LoopProgress): void;
}

export function identityOf(config: ResolvedTrainConfig): CheckpointIdentity {
  return {
    model: config.model,
    dataset: { ...config.dataset, maxTrainExamples: config.dataset.maxTrainExamples },
    batchSize: config.batchSize,
    optimizer: config.optimizer.kind,
    seed: config.seed,
  };
}

/**
 * Checkpoints of runs under one root directory: `<root>/<run id>/step-<n>.ckpt`, written atomically
 * (checkpoint-file.ts), the newest `keep_last` kept.
 */
export class CheckpointStore {
  readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
    mkdirSync(this.root, { recursive: true });
  }

  /**
   * Where a run's checkpoints go: `<root>/<run id>`, or CheckpointPolicy.directory, which must lie
   * inside the root (INVALID_ARGUMENT naming config.checkpoint.directory otherwise).
   */
  directoryOf(runId: string, override = ''): string {
    if (override !== '') return resolveInside(this.root, override, 'config.checkpoint.directory');
    return join(this.root, runId);
  }

  async save(
    runId: string,
    trialId: string | undefined,
    session: TrainingSession,
    plan: LrPlan,
    progress: LoopProgress,
    config: ResolvedTrainConfig,
    best = false,
  ): Promise<training.CheckpointRef> {
    const dir = this.directoryOf(runId, config.checkpoint.directory);
    mkdirSync(dir, { recursive: true });
    const blobs = new Map<string, Float32Array>();
    const weights = session.weights();
    const weightShapes = weights.map((w) => [...w.shape]);
    for (const [i, w] of weights.entries()) blobs.set(`w/${i}`, (await w.data()) as Float32Array);
    const state = await session.optimizerState();
    const index = new Map(session.variables.map((t, i) => [t.variable.name, i]));
    const variables: Header['optimizer']['variables'] = {};
    for (const [name, vs] of Object.entries(state.variables)) {
      const i = index.get(name);
      if (i === undefined) continue;
      const slots: Record<string, number[]> = {};
      for (const [slot, s] of Object.entries(vs.slots)) {
        slots[slot] = [...s.shape];
        blobs.set(`opt/${i}/${slot}`, s.values);
      }
      variables[String(i)] = { step: vs.step, slots };
    }
    const createdAt = new Date();
    const header: Header = {
      format: FORMAT,
      runId,
      trialId: trialId ?? '',
      createdAt: createdAt.toISOString(),
      identity: identityOf(config),
      progress: { ...progress },
      plan: plan.state(),
      weightShapes,
      optimizer: { kind: state.kind, stepCount: state.stepCount, groups: state.groups, variables },
      rng: {
        seed: config.seed,
        epoch: progress.epoch,
        batch: progress.batch,
        dropoutCalls: dropoutCalls(session.model),
      },
    };
    // The best checkpoint (CheckpointPolicy.save_best) has its own name, so keep_last never deletes it.
    const path = join(dir, best ? 'best.ckpt' : `step-${String(progress.step).padStart(9, '0')}.ckpt`);
    let size: number;
    try {
      size = writeCheckpointFile(path, header as unknown as Record<string, unknown>, blobs);
    } catch (error) {
      throw new CheckpointError(`cannot write checkpoint ${path}: ${(error as Error).message}`);
    }
    this.prune(dir, config.checkpoint.keepLast, path);
    return {
      uri: pathToFileURL(path).href,
      runId,
      step: progress.step,
      epoch: progress.epoch,
      createdAt,
      trialId: trialId ?? '',
      sizeBytes: size,
    };
  }

  /**
   * Reads a checkpoint by its CheckpointRef.uri: "file://..." as runs report them, or a path relative
   * to the root. Either must lie inside the checkpoint root (INVALID_ARGUMENT naming resume_from.uri).
   */
  load(uri: string): RestoredCheckpoint {
    let path: string;
    if (uri.startsWith('file://')) {
      path = resolve(fileURLToPath(uri));
      if (!path.startsWith(this.root + sep))
        throw new InvalidArgumentError({
          field: 'resume_from.uri',
          description: `${uri} is outside the checkpoint directory ${this.root}`,
        });
    } else path = resolveInside(this.root, uri, 'resume_from.uri');
    let file;
    try {
      file = readCheckpointFile(path);
    } catch (error) {
      throw new CheckpointError((error as Error).message);
    }
    const h = file.header as unknown as Header;
    if (h.format !== FORMAT) throw new CheckpointError(`${path}: unknown format ${String(h.format)}`);
    const ref: training.CheckpointRef = {
      uri: pathToFileURL(path).href,
      runId: h.runId,
      step: h.progress.step,
      epoch: h.progress.epoch,
      createdAt: new Date(h.createdAt),
      trialId: h.trialId,
      sizeBytes: 0,
    };
    return {
      ref,
      identity: h.identity,
      seed: h.identity.seed,
      apply(session, plan, progress) {
        const weights = session.model.weights;
        if (weights.length !== h.weightShapes.length)
          throw new CheckpointError(
            `checkpoint has ${h.weightShapes.length} weights, the model ${weights.length}`,
          );
        weights.forEach((w, i) => {
          if (!tf.util.arraysEqual(w.shape as number[], h.weightShapes[i]))
            throw new CheckpointError(
              `weight ${i} (${w.name}) is [${w.shape.join(',')}] in the model, [${h.weightShapes[i].join(',')}] in the checkpoint`,
            );
        });
        try {
          seedDropout(session.model, h.rng.seed, h.rng.dropoutCalls);
        } catch (error) {
          throw new CheckpointError(`${path}: rng.dropoutCalls: ${(error as Error).message}`);
        }
        weights.forEach((w, i) => {
          const t = tf.tensor(file.blob(`w/${i}`), h.weightShapes[i]);
          w.write(t);
          t.dispose();
        });
        const vars: Record<string, VariableState> = {};
        for (const [i, vs] of Object.entries(h.optimizer.variables)) {
          const tracked = session.variables[Number(i)];
          if (tracked === undefined)
            throw new CheckpointError(`optimizer state for variable ${i} has no variable`);
          const slots: Record<string, { shape: number[]; values: Float32Array }> = {};
          for (const [slot, shape] of Object.entries(vs.slots))
            slots[slot] = { shape, values: file.blob(`opt/${i}/${slot}`) };
          vars[tracked.variable.name] = { step: vs.step, slots };
        }
        const state: OptimizerState = {
          kind: h.optimizer.kind,
          stepCount: h.optimizer.stepCount,
          groups: h.optimizer.groups,
          variables: vars,
        };
        session.loadOptimizerState(state);
        plan.loadState(h.plan);
        Object.assign(progress, h.progress);
      },
    };
  }

  private prune(dir: string, keepLast: number, newest: string): void {
    if (keepLast <= 0) return;
    const files = readdirSync(dir)
      .filter((f) => /^step-\d+\.ckpt$/.test(f))
      .sort();
    for (const f of files.slice(0, Math.max(0, files.length - keepLast))) {
      if (join(dir, f) !== newest) rmSync(join(dir, f), { force: true });
    }
  }
}
