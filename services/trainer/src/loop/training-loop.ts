import type { trainer, training } from '@athanor/contracts';
import * as tf from '@tensorflow/tfjs';
import { type CheckpointStore, type RestoredCheckpoint } from '../checkpoint/checkpoint-store';
import { stepsPerEpoch as countSteps } from '../data/data-source';
import type { ResolvedTrainConfig } from '../run-config/resolve-config';
import { LoopSpans } from './loop-spans';
import { createLrPlan } from './lr-plan';
import { DivergedError, type StepResult, TrainingSession } from './session';

export type RunEventBody = NonNullable<trainer.RunEvent['event']>;

/** What the loop needs from its surroundings (the run manager, a test, the benchmark). */
export interface LoopHooks {
  /** Every event of the run, in order. */
  emit(event: RunEventBody): void;
  /** A reason once the run should stop (CancelRun, pruning); checked before every step. */
  stopRequested(): string | undefined;
  /**
   * After each validation (worker mode reports it to the tuner); a returned reason stops the run
   * as cancelled (pruned).
   */
  afterValidation?(
    result: trainer.ValidationResult,
    checkpoint: training.CheckpointRef | undefined,
  ): Promise<string | undefined>;
  /** After each step (metrics reporting). Must not block. */
  afterStep?(report: trainer.StepReport, layers: trainer.LayerGradientStats[] | undefined): void;
  /** Let other work run (gRPC calls) between steps; default setImmediate. */
  yield?(): Promise<void>;
}

export interface LoopInput {
  readonly runId: string;
  readonly trialId?: string;
  readonly config: ResolvedTrainConfig;
  readonly session: TrainingSession;
  readonly checkpoints: CheckpointStore;
  readonly resume?: RestoredCheckpoint;
  readonly backend: string;
  readonly device: string;
  readonly modelSummary?: trainer.RunStarted['modelSummary'];
}

export type LoopOutcome =
  | { readonly state: 'completed'; readonly finished: trainer.RunFinished }
  | { readonly state: 'cancelled'; readonly cancelled: trainer.RunCancelled }
  | { readonly state: 'failed'; readonly failed: trainer.RunFailed };

/** Counters of the run that a checkpoint carries so a resumed run continues exactly. */
export interface LoopProgress {
  step: number;
  epoch: number;
  batch: number;
  best: trainer.ValidationResult | undefined;
  bestValue: number | undefined;
  sinceImprovement: number;
  lastValidation: trainer.ValidationResult | undefined;
  epochLoss: number;
  epochCorrect: number;
  epochExamples: number;
}

const EMA = 0.9;

/**
 * The training loop, PyTorch's order: for each batch, set the lr, compute loss and gradients, check
 * them, clip, optimizer step, then scheduler step; after the last batch of an epoch the per-epoch
 * scheduler steps; validations feed ReduceLROnPlateau and early stopping. Pure of gRPC.
 */
export async function runTrainingLoop(input: LoopInput, hooks: LoopHooks): Promise<LoopOutcome> {
  const { config, session, checkpoints } = input;
  const data = session.data;
  const spe = countSteps(data.trainSize, config.batchSize, config.dataset.dropLast);
  if (spe === 0) {
    return fail(
      `the training set (${data.trainSize} examples) is smaller than one batch (${config.batchSize}) with drop_last`,
      3,
      0,
      undefined,
    );
  }
  const totalSteps = config.maxSteps ?? spe * (config.epochs ?? 1);
  const plan = createLrPlan(config, session.optimizer.getInitialLr(), spe);
  const p: LoopProgress = {
    step: 0,
    epoch: 0,
    batch: 0,
    best: undefined,
    bestValue: undefined,
    sinceImprovement: 0,
    lastValidation: undefined,
    epochLoss: 0,
    epochCorrect: 0,
    epochExamples: 0,
  };
  let lastCheckpoint: training.CheckpointRef | undefined = input.resume?.ref;
  if (input.resume) {
    input.resume.apply(session, plan, p);
  }
  const yieldNow = (): Promise<void> =>
    hooks.yield ? hooks.yield() : new Promise<void>((resolve) => setImmediate(resolve));
  const started = performance.now();
  let epochStarted = performance.now();
  let throughput = 0;
  const groupLrs = (): trainer.GroupLearningRate[] =>
    session.optimizer.paramGroups.map((g) => ({ group: g.name, lr: g.lr }));

  hooks.emit({
    $case: 'started',
    value: {
      backend: input.backend,
      device: input.device,
      totalSteps,
      stepsPerEpoch: spe,
      trainExamples: data.trainSize,
      validationExamples: data.validationSize,
      seed: config.seed,
      modelSummary: input.modelSummary,
      resumedFrom: input.resume?.ref,
      parameterGroups: [...session.groupNames],
    },
  });

  const spans = new LoopSpans();
  const save = async (best = false): Promise<training.CheckpointRef> => {
    const ref = await spans.checkpoint(best, () =>
      checkpoints.save(input.runId, input.trialId, session, plan, p, config, best),
    );
    if (!best) lastCheckpoint = ref;
    hooks.emit({ $case: 'checkpoint', value: { checkpoint: ref, best } });
    return ref;
  };
  // EarlyStopping.restore_best_weights: a copy of the weights at the best validation (host memory).
  let bestWeights: Float32Array[] | undefined;

  const monitored = (v: trainer.ValidationResult, name: string): number =>
    name === 'val_top1' ? v.top1 : name === 'val_top5' ? (v.top5 ?? v.top1) : v.loss;

  /** Validates; returns a reason to stop early (early stopping or pruning), else undefined. */
  const validate = async (): Promise<{ stop?: string }> => {
    const totals = session.validate(config.batchSize, config.validation.maxBatches);
    if (totals.examples === 0) return {};
    const result: trainer.ValidationResult = {
      step: p.step,
      epoch: p.epoch,
      loss: totals.loss,
      top1: totals.top1,
      ...(totals.top5 !== undefined ? { top5: totals.top5 } : {}),
      examples: totals.examples,
    };
    p.lastValidation = result;
    const es = config.earlyStopping;
    const monitor = es?.monitor ?? 'val_loss';
    const mode = es?.mode ?? 'min';
    const value = monitored(result, monitor);
    const minDelta = es?.minDelta ?? 0;
    const improved =
      p.bestValue === undefined ||
      (mode === 'min' ? value < p.bestValue - minDelta : value > p.bestValue + minDelta);
    if (improved) {
      p.bestValue = value;
      p.best = result;
      p.sinceImprovement = 0;
      if (es?.restoreBestWeights)
        bestWeights = session.weights().map((w) => Float32Array.from(w.dataSync() as Float32Array));
    } else p.sinceImprovement += 1;
    hooks.emit({
      $case: 'validation',
      value: { result, improved, epochsWithoutImprovement: p.sinceImprovement },
    });
    if (Number.isFinite(totals.loss)) plan.afterValidation(monitored(result, config.schedulerMonitor));
    if (improved && config.checkpoint.saveBest) await save(true);
    const pruned = hooks.afterValidation ? await hooks.afterValidation(result, lastCheckpoint) : undefined;
    if (pruned !== undefined) return { stop: pruned };
    if (es !== null && p.sinceImprovement >= Math.max(1, es.patience)) return { stop: 'early' };
    return {};
  };

  try {
    session.applyLrs(plan.lrs(), plan.momentums());
    while (p.step < totalSteps) {
      const reason = hooks.stopRequested();
      if (reason !== undefined) return await cancelled(reason);

      if (!spans.inEpoch) spans.beginEpoch(p.epoch, p.step);
      if (p.batch === 0) {
        epochStarted = performance.now();
        p.epochLoss = 0;
        p.epochCorrect = 0;
        p.epochExamples = 0;
      }
      const batch = data.trainBatch(p.epoch, p.batch, config.batchSize);
      const stats =
        config.gradientStats.everyNSteps > 0 && (p.step + 1) % config.gradientStats.everyNSteps === 0;
      const t0 = performance.now();
      session.applyLrs(plan.lrs(), plan.momentums());
      const lrsUsed = groupLrs();
      let result: StepResult;
      try {
        result = await session.step(batch, stats);
      } catch (error) {
        if (error instanceof DivergedError) {
          const lr = lrsUsed.map((g) => `${g.group} ${g.lr.toPrecision(3)}`).join(', ');
          return fail(
            `${error.message} at step ${p.step + 1} (epoch ${p.epoch}, lr ${lr}); no update was applied`,
            1,
            p.step,
            lastCheckpoint,
          );
        }
        throw error;
      }
      const seconds = (performance.now() - t0) / 1000;
      p.step += 1;
      p.batch += 1;
      p.epochLoss += result.loss * result.size;
      p.epochCorrect += result.correct;
      p.epochExamples += result.size;
      const rate = result.size / Math.max(seconds, 1e-9);
      throughput = throughput === 0 ? rate : EMA * throughput + (1 - EMA) * rate;
      plan.afterStep();

      const report: trainer.StepReport = {
        step: p.step,
        epoch: p.epoch,
        loss: result.loss,
        learningRates: lrsUsed,
        samplesPerSecond: throughput,
        stepSeconds: seconds,
        gradientNorm: result.gradientNorm,
        clipped: result.clipped,
      };
      let layers: trainer.LayerGradientStats[] | undefined;
      if (result.layerStats) {
        const gs = config.gradientStats;
        layers = result.layerStats.map((l) => ({
          layer: l.layer,
          group: l.group,
          gradientNorm: l.gradientNorm,
          weightNorm: l.weightNorm,
          updateRatio: l.weightNorm > 0 ? (l.lr * l.gradientNorm) / l.weightNorm : 0,
          vanishing: Number.isFinite(l.gradientNorm) && l.gradientNorm < gs.vanishing,
          exploding: !Number.isFinite(l.gradientNorm) || l.gradientNorm > gs.exploding,
        }));
        hooks.emit({
          $case: 'gradientReport',
          value: {
            step: p.step,
            globalNorm: result.gradientNorm,
            layers,
            vanishing: layers.some((l) => l.vanishing),
            exploding: layers.some((l) => l.exploding),
          },
        });
      }
      if (config.metrics.everyNSteps <= 1 || p.step % config.metrics.everyNSteps === 0)
        hooks.emit({ $case: 'step', value: report });
      hooks.afterStep?.(report, layers);

      let stop: string | undefined;
      const endOfEpoch = p.batch >= spe;
      if (endOfEpoch) {
        const epochSeconds = (performance.now() - epochStarted) / 1000;
        plan.afterEpoch();
        hooks.emit({
          $case: 'epochSummary',
          value: {
            epoch: p.epoch,
            step: p.step,
            trainLoss: p.epochExamples > 0 ? p.epochLoss / p.epochExamples : 0,
            trainTop1: p.epochExamples > 0 ? p.epochCorrect / p.epochExamples : 0,
            epochSeconds,
            samplesPerSecond: p.epochExamples / Math.max(epochSeconds, 1e-9),
            learningRates: groupLrs(),
            examples: p.epochExamples,
          },
        });
        p.epoch += 1;
        p.batch = 0;
        const v = config.validation;
        if (!v.disabled && v.everyNSteps === 0 && p.epoch % v.everyNEpochs === 0)
          stop = (await validate()).stop;
        const c = config.checkpoint;
        if (stop === undefined && c.everyNEpochs > 0 && p.epoch % c.everyNEpochs === 0 && p.step < totalSteps)
          await save();
        spans.endEpoch({
          'athanor.train_loss': p.epochExamples > 0 ? p.epochLoss / p.epochExamples : 0,
          'athanor.samples_per_second': p.epochExamples / Math.max(epochSeconds, 1e-9),
          ...(p.lastValidation?.epoch === p.epoch ? { 'athanor.val_loss': p.lastValidation.loss } : {}),
        });
      }
      const v = config.validation;
      if (
        stop === undefined &&
        !v.disabled &&
        v.everyNSteps > 0 &&
        p.step % v.everyNSteps === 0 &&
        p.step < totalSteps
      )
        stop = (await validate()).stop;
      const c = config.checkpoint;
      if (stop === undefined && c.everyNSteps > 0 && p.step % c.everyNSteps === 0 && p.step < totalSteps)
        await save();
      if (stop === 'early') return await finish(3);
      if (stop !== undefined) return await cancelled(stop);
      await yieldNow();
    }
    // The end: a last validation if the schedule did not just make one, then the final checkpoint.
    const v = config.validation;
    if (!v.disabled && (p.lastValidation === undefined || p.lastValidation.step !== p.step)) {
      const { stop } = await validate();
      if (stop !== undefined && stop !== 'early') return await cancelled(stop);
    }
    return await finish(config.maxSteps !== undefined ? 2 : 1);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const oom = /out of memory|OOM|allocat/i.test(message);
    return fail(message, oom ? 2 : 6, p.step, lastCheckpoint);
  } finally {
    spans.close();
  }

  async function finish(reason: 1 | 2 | 3): Promise<LoopOutcome> {
    // Keras EarlyStopping(restore_best_weights=True): the final weights are the best ones.
    if (bestWeights !== undefined && p.best !== undefined && p.lastValidation !== p.best) {
      session.model.weights.forEach((w, i) => {
        const t = tf.tensor(bestWeights![i], w.shape as number[]);
        w.write(t);
        t.dispose();
      });
      p.lastValidation = p.best;
    }
    let finalCheckpoint: training.CheckpointRef | undefined;
    if (config.checkpoint.saveFinal) finalCheckpoint = await save();
    return {
      state: 'completed',
      finished: {
        reason,
        step: p.step,
        epoch: p.epoch,
        finalValidation: p.lastValidation,
        bestValidation: p.best,
        finalCheckpoint,
        durationSeconds: (performance.now() - started) / 1000,
      },
    };
  }

  async function cancelled(reason: string): Promise<LoopOutcome> {
    let kept = lastCheckpoint;
    if (config.checkpoint.saveFinal && p.step > 0) kept = await save();
    return { state: 'cancelled', cancelled: { reason, step: p.step, lastCheckpoint: kept } };
  }

  function fail(
    reason: string,
    kind: number,
    step: number,
    last: training.CheckpointRef | undefined,
  ): LoopOutcome {
    return { state: 'failed', failed: { reason, kind, step, lastCheckpoint: last } };
  }
}

/** Tensors alive now; tests compare it before and after steps to find leaks. */
export function liveTensors(): number {
  return tf.memory().numTensors;
}
