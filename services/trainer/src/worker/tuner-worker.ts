import {
  type ChannelCredentials,
  type ClientOptions,
  credentials,
  Metadata,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import { context } from '@opentelemetry/api';
import { trainer, training, tuner } from '@athanor/contracts';
import type { Logger } from '@athanor/service-kit';
import type { LoopOutcome } from '../loop/training-loop';
import type { RunHooks, RunManager, RunRecord } from '../runs/run-manager';
import { trialContext } from '../runs/run-span';

export interface TunerWorkerOptions {
  readonly address: string;
  readonly workerId: string;
  /** Study to pull from; empty: any running study. */
  readonly studyId: string;
  /** Trials trained at once (the run manager's concurrency). */
  readonly slots: number;
  readonly runs: RunManager;
  readonly logger?: Logger;
  /** Wait before asking again when the tuner has nothing and names no retry_after. Default 2 s. */
  readonly idleMillis?: number;
  /** Channel credentials (TLS) and options (bearer token) for the tuner. Default plaintext. */
  readonly credentials?: ChannelCredentials;
  readonly clientOptions?: ClientOptions;
}

interface ActiveTrial {
  readonly assignment: tuner.TrialAssignment;
  /** Set once the run is started. */
  runId: string;
  readonly objective: string;
  heartbeat?: NodeJS.Timeout;
  stopReason?: tuner.StopReason;
  /** The resource of the last intermediate value reported (see resourceOf). */
  lastResource?: number;
}

const PRUNED = 'pruned by the tuner';
/** How long a worker keeps trying to complete a trial while the tuner is unreachable. */
const COMPLETE_RETRY_MS = 60_000;

/**
 * Worker mode (DESIGN.md: trials are pulled, not pushed): asks the tuner for trials while slots are
 * free (SuggestTrials with a lease), runs each as a trainer run (resuming from the trial's
 * checkpoint when it was handed out before), heartbeats, reports every validation
 * (ReportIntermediate; a prune decision stops the run) and completes the trial with its objective.
 */
export class TunerWorker {
  private readonly client: tuner.TunerServiceClient;
  private readonly active = new Map<string, ActiveTrial>();
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly o: TunerWorkerOptions) {
    this.client = new tuner.TunerServiceClient(
      o.address,
      o.credentials ?? credentials.createInsecure(),
      o.clientOptions,
    );
  }

  start(): void {
    this.loop ??= this.releaseInterrupted().then(() => this.poll());
  }

  /**
   * Trials a restart found interrupted (their runs failed, run-recovery.ts) go back to the tuner's
   * queue at once, as retryable failures under their old leases, with their last checkpoints;
   * otherwise they would wait for the leases to lapse. A lease already lapsed or re-leased is
   * refused, and that is fine: the tuner has the trial back already.
   */
  private async releaseInterrupted(): Promise<void> {
    for (const run of this.o.runs.takeInterruptedTrials()) {
      const trial = run.trial!;
      if (trial.leaseId === '') continue;
      try {
        await this.call<tuner.CompleteTrialRequest, tuner.CompleteTrialResponse>(
          (r, cb) => this.client.completeTrial(r, cb),
          tuner.CompleteTrialRequest.fromPartial({
            trialId: trial.trialId,
            leaseId: trial.leaseId,
            outcome: { $case: 'failed', value: { reason: run.failureReason, retryable: true } },
            runId: run.id,
            checkpoint: run.lastCheckpoint,
          }),
        );
        this.o.logger?.info(
          { trial: trial.trialId, run: run.id },
          'handed an interrupted trial back to the tuner',
        );
      } catch (error) {
        this.o.logger?.debug({ err: error, trial: trial.trialId }, 'interrupted trial not handed back');
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    for (const t of this.active.values()) clearInterval(t.heartbeat);
    this.client.close();
  }

  /** Hooks for a run; only runs this worker started from trials report to the tuner. */
  hooksFor(record: RunRecord): RunHooks | undefined {
    const trialId = record.run.trial?.trialId;
    const t = trialId === undefined ? undefined : this.active.get(trialId);
    if (t === undefined) return undefined;
    return {
      afterValidation: async (result, checkpoint) => {
        const value = objectiveOf(t.objective, result);
        const resource = resourceOf(t.assignment.config, result);
        t.lastResource = resource;
        try {
          const res = await this.call<tuner.ReportIntermediateRequest, tuner.ReportIntermediateResponse>(
            (r, cb) => this.client.reportIntermediate(r, cb),
            tuner.ReportIntermediateRequest.fromPartial({
              trialId: t.assignment.trial!.id,
              leaseId: t.assignment.leaseId,
              step: resource,
              value,
              checkpoint,
            }),
          );
          if (res.shouldPrune) {
            t.stopReason = res.stopReason;
            return `${PRUNED} at ${resourceName(t.assignment.config)} ${resource} (${tuner.stopReasonToJSON(res.stopReason)})`;
          }
        } catch (error) {
          this.o.logger?.warn(
            { err: error, trial: t.assignment.trial?.id },
            'ReportIntermediate failed; training on',
          );
        }
        return undefined;
      },
      onFinished: (run, outcome) => this.complete(t, run, outcome),
    };
  }

  private async poll(): Promise<void> {
    let delay = 0;
    while (!this.stopped) {
      if (delay > 0) await this.sleep(delay);
      if (this.stopped) break;
      const free = this.o.slots - this.active.size;
      if (free <= 0) {
        await this.sleep(60_000);
        delay = 0;
        continue;
      }
      try {
        const res = await this.call<tuner.SuggestTrialsRequest, tuner.SuggestTrialsResponse>(
          (r, cb) => this.client.suggestTrials(r, cb),
          tuner.SuggestTrialsRequest.fromPartial({
            studyId: this.o.studyId,
            workerId: this.o.workerId,
            count: free,
          }),
        );
        for (const a of res.assignments) this.launch(a);
        const retry = res.retryAfter ? res.retryAfter.seconds * 1000 + res.retryAfter.nanos / 1e6 : 0;
        delay = res.assignments.length > 0 ? 0 : retry > 0 ? retry : (this.o.idleMillis ?? 2000);
      } catch (error) {
        this.o.logger?.warn({ err: error }, 'SuggestTrials failed; retrying');
        delay = Math.min(Math.max(delay * 2, 500), 30_000);
      }
    }
  }

  private launch(a: tuner.TrialAssignment): void {
    const trial = a.trial!;
    const resumeFrom = a.resumeFrom ?? (trial.checkpoint?.uri ? trial.checkpoint : undefined);
    // Active from the moment it is launched; the run id follows once the run is started.
    const starting: ActiveTrial = { assignment: a, runId: '', objective: a.objectiveMetric || 'val_loss' };
    this.active.set(trial.id, starting);
    let runId: string;
    try {
      runId = this.o.runs.start(
        trainer.StartRunRequest.fromPartial({
          config: a.config,
          resumeFrom,
          trial: { studyId: trial.studyId, trialId: trial.id, leaseId: a.leaseId, trialNumber: trial.number },
          requestId: `${trial.id}/${a.leaseId}`,
        }),
        '',
        trialContext(a.traceParent),
      ).runId;
    } catch (error) {
      this.active.delete(trial.id);
      void this.finish(a, '', { $case: 'infeasible', value: { reason: (error as Error).message } });
      return;
    }
    // The same object the run's hooks already hold (the run manager asks for them inside start()):
    // a copy here once left complete() clearing a timer it did not have, and the copy went on
    // heartbeating a finished trial, keeping its lease alive forever when CompleteTrial was lost.
    const t = starting;
    t.runId = runId;
    const every = a.heartbeatInterval
      ? a.heartbeatInterval.seconds * 1000 + a.heartbeatInterval.nanos / 1e6
      : 10_000;
    // Heartbeats belong to the trial's trace too.
    const beat = context.bind(trialContext(a.traceParent), () => void this.heartbeat(t));
    t.heartbeat = setInterval(beat, Math.max(100, every));
    t.heartbeat.unref();
  }

  private async heartbeat(t: ActiveTrial): Promise<void> {
    // A trial that is no longer this worker's (finished, handed back) gets no more heartbeats.
    if (this.active.get(t.assignment.trial!.id) !== t) {
      clearInterval(t.heartbeat);
      return;
    }
    const run = this.o.runs.snapshot(t.runId, true);
    try {
      const res = await this.call<tuner.HeartbeatTrialRequest, tuner.HeartbeatTrialResponse>(
        (r, cb) => this.client.heartbeatTrial(r, cb),
        tuner.HeartbeatTrialRequest.fromPartial({
          trialId: t.assignment.trial!.id,
          leaseId: t.assignment.leaseId,
          workerId: this.o.workerId,
          step: run.step,
          checkpoint: run.lastCheckpoint,
          runId: t.runId,
        }),
      );
      if (res.shouldStop) {
        t.stopReason = res.stopReason;
        this.o.runs.cancel(t.runId, `stopped by the tuner (${tuner.stopReasonToJSON(res.stopReason)})`);
      }
    } catch (error) {
      this.o.logger?.warn({ err: error, trial: t.assignment.trial?.id }, 'HeartbeatTrial failed');
    }
  }

  private async complete(t: ActiveTrial, run: trainer.Run, outcome: LoopOutcome): Promise<void> {
    clearInterval(t.heartbeat);
    this.active.delete(t.assignment.trial!.id);
    this.wake?.();
    if (t.stopReason === tuner.StopReason.STOP_REASON_LEASE_LOST) return;
    let result: tuner.CompleteTrialRequest['outcome'];
    if (outcome.state === 'completed') {
      const v = outcome.finished.finalValidation;
      result =
        v === undefined
          ? {
              $case: 'failed',
              value: { reason: 'the run made no validation, so there is no objective', retryable: false },
            }
          : {
              $case: 'completed',
              value: {
                objectiveValue: objectiveOf(t.objective, v),
                metrics: {
                  val_loss: v.loss,
                  val_top1: v.top1,
                  ...(v.top5 !== undefined ? { val_top5: v.top5 } : {}),
                },
              },
            };
    } else if (outcome.state === 'cancelled' && t.stopReason !== undefined) {
      result = { $case: 'pruned', value: { step: t.lastResource ?? outcome.cancelled.step } };
    } else if (outcome.state === 'cancelled') {
      result = { $case: 'failed', value: { reason: outcome.cancelled.reason, retryable: true } };
    } else {
      result = {
        $case: 'failed',
        value: {
          reason: outcome.failed.reason,
          retryable: outcome.failed.kind !== trainer.FailureKind.FAILURE_KIND_DIVERGED,
        },
      };
    }
    await this.finish(t.assignment, run.id, result, run.lastCheckpoint);
  }

  /**
   * CompleteTrial, retried while the tuner is unreachable (a restart): a lost completion would
   * let the lease lapse and the trial train a second time. Each attempt waits for the channel; the
   * retries stop after COMPLETE_RETRY_MS, or at an answer (a refusal included: the lease is gone).
   */
  private async finish(
    a: tuner.TrialAssignment,
    runId: string,
    outcome: tuner.CompleteTrialRequest['outcome'],
    checkpoint?: tuner.CompleteTrialRequest['checkpoint'],
  ): Promise<void> {
    const request = tuner.CompleteTrialRequest.fromPartial({
      trialId: a.trial!.id,
      leaseId: a.leaseId,
      outcome,
      runId,
      checkpoint,
    });
    const giveUp = Date.now() + COMPLETE_RETRY_MS;
    for (let wait = 500; ; wait = Math.min(wait * 2, 5000)) {
      try {
        await this.call<tuner.CompleteTrialRequest, tuner.CompleteTrialResponse>(
          (r, cb) =>
            this.client.completeTrial(
              r,
              new Metadata({ waitForReady: true }),
              { deadline: Math.min(giveUp, Date.now() + 10_000) },
              cb,
            ),
          request,
        );
        return;
      } catch (error) {
        const code = (error as ServiceError).code;
        const unreachable = code === status.UNAVAILABLE || code === status.DEADLINE_EXCEEDED;
        if (!unreachable || this.stopped || Date.now() + wait >= giveUp) {
          this.o.logger?.warn(
            { err: error, trial: a.trial?.id },
            'CompleteTrial failed; the lease will expire and the tuner re-queues the trial',
          );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  private call<Req, Res>(
    fn: (req: Req, cb: (err: ServiceError | null, res: Res) => void) => unknown,
    req: Req,
  ): Promise<Res> {
    return new Promise((resolve, reject) => fn(req, (err, res) => (err ? reject(err) : resolve(res))));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

/**
 * The resource a pruner compares trials at: the epoch when validation runs per epoch (the default),
 * so that trials of different batch sizes meet at equal data seen (batch 256 takes a quarter of
 * batch 64's steps per epoch); the optimizer step when validation runs every N steps.
 */
function resourceOf(config: training.TrainConfig | undefined, v: trainer.ValidationResult): number {
  return resourceName(config) === 'epoch' ? v.epoch : v.step;
}

function resourceName(config: training.TrainConfig | undefined): 'epoch' | 'step' {
  return config?.validation?.frequency?.$case === 'everyNSteps' ? 'step' : 'epoch';
}

function objectiveOf(metric: string, v: trainer.ValidationResult): number {
  if (metric === 'val_top1') return v.top1;
  if (metric === 'val_top5') return v.top5 ?? v.top1;
  return v.loss;
}
