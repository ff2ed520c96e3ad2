import { randomUUID } from 'node:crypto';
import { trainer, type training } from '@athanor/contracts';
import {
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  ResourceExhaustedError,
  type Logger,
} from '@athanor/service-kit';
import {
  CheckpointError,
  type CheckpointStore,
  identityOf,
  type RestoredCheckpoint,
} from '../checkpoint/checkpoint-store';
import { DataLoadError, ModelBuildError, type PrepareOptions, prepareRun } from '../loop/prepare-session';
import { ModelConfigError, type TrainingSession } from '../loop/session';
import { type LoopHooks, type LoopOutcome, runTrainingLoop } from '../loop/training-loop';
import { type ResolvedTrainConfig, resolveTrainConfig } from '../run-config/resolve-config';
import { EventLog } from './event-log';

const { RunState, FailureKind } = trainer;

/** Extra per-run behaviour: metrics reporting, worker mode. */
export type RunHooks = Pick<LoopHooks, 'afterStep' | 'afterValidation'> & {
  /** After the terminal event (report to the tuner, flush metrics). */
  onFinished?(run: trainer.Run, outcome: LoopOutcome): Promise<void> | void;
};

export interface RunManagerOptions {
  readonly concurrency: number;
  readonly maxQueued: number;
  /** Runs one client may have queued or training at once; 0: no limit. */
  readonly maxRunsPerClient?: number;
  readonly checkpoints: CheckpointStore;
  readonly prepare: PrepareOptions;
  readonly backend: string;
  readonly device: string;
  readonly workerId: string;
  readonly logger?: Logger;
  /** Hooks for a run (metrics reporter, tuner client); called when it starts training. */
  readonly hooksFor?: (run: RunRecord) => RunHooks;
}

/** A run and everything the manager keeps about it. */
export interface RunRecord {
  readonly run: trainer.Run;
  readonly config: ResolvedTrainConfig;
  readonly log: EventLog;
  readonly resumeFrom?: training.CheckpointRef;
  /** Who asked for the run (the caller's address); empty for runs the worker starts itself. */
  readonly client: string;
  cancelReason?: string;
  /** Resolves when the run reached a terminal state. */
  readonly done: Promise<void>;
}

interface MutableRecord extends RunRecord {
  resolveDone(): void;
}

export interface ListFilter {
  readonly states?: readonly trainer.RunState[];
  readonly studyId?: string;
  readonly trialId?: string;
  readonly pageSize?: number;
  readonly pageToken?: string;
  readonly omitConfig?: boolean;
}

const TERMINAL: ReadonlySet<trainer.RunState> = new Set([
  RunState.RUN_STATE_COMPLETED,
  RunState.RUN_STATE_FAILED,
  RunState.RUN_STATE_CANCELLED,
]);

/**
 * Runs: validation, the queue and the concurrency limit, the lifecycle (QUEUED -> RUNNING ->
 * COMPLETED | FAILED | CANCELLED), cancellation at the next step, and the event log of each run.
 * Everything is in memory: a restarted trainer resumes runs from their checkpoints, not from here.
 */
export class RunManager {
  private readonly runs = new Map<string, MutableRecord>();
  private readonly order: string[] = [];
  private readonly queue: string[] = [];
  private readonly byRequestId = new Map<string, string>();
  private running = 0;
  private closing = false;

  constructor(private readonly options: RunManagerOptions) {}

  get concurrency(): number {
    return this.options.concurrency;
  }

  get activeRuns(): number {
    return this.running;
  }

  start(request: trainer.StartRunRequest, client = ''): trainer.StartRunResponse {
    if (this.closing) throw new FailedPreconditionError('the trainer is shutting down');
    if (request.requestId !== '') {
      const existing = this.byRequestId.get(request.requestId);
      if (existing !== undefined) return this.startResponse(this.runs.get(existing)!);
    }
    let resume: RestoredCheckpoint | undefined;
    if (request.resumeFrom !== undefined) {
      if (request.resumeFrom.uri === '')
        throw new InvalidArgumentError({ field: 'resume_from.uri', description: 'is required' });
      try {
        resume = this.options.checkpoints.load(request.resumeFrom.uri);
      } catch (error) {
        if (error instanceof InvalidArgumentError) throw error;
        throw new InvalidArgumentError({ field: 'resume_from.uri', description: (error as Error).message });
      }
    }
    // A resumed run keeps the checkpointed seed unless the request names one.
    const wire = request.config;
    const withSeed = wire && resume && wire.seed === undefined ? { ...wire, seed: resume.seed } : wire;
    const config = resolveTrainConfig(withSeed, 'config');
    if (resume) checkResumable(config, resume);
    if (config.checkpoint.directory !== '')
      this.options.checkpoints.directoryOf('', config.checkpoint.directory);
    const perClient = this.options.maxRunsPerClient ?? 0;
    if (perClient > 0 && client !== '') {
      const open = [...this.runs.values()].filter((r) => r.client === client && !TERMINAL.has(r.run.state));
      if (open.length >= perClient)
        throw new ResourceExhaustedError(
          `this client already has ${open.length} runs queued or training (at most ${perClient} per client); wait for one to finish or cancel one`,
        );
    }
    if (this.queue.length >= this.options.maxQueued && this.running >= this.options.concurrency)
      throw new ResourceExhaustedError(`the run queue is full (${this.options.maxQueued} runs waiting)`);

    const id = `run-${randomUUID().slice(0, 8)}`;
    const run: trainer.Run = trainer.Run.fromPartial({
      id,
      name: config.name,
      state: RunState.RUN_STATE_QUEUED,
      config: { ...withSeed!, seed: config.seed },
      trial: request.trial,
      resumedFrom: resume?.ref,
      createdAt: new Date(),
      seed: config.seed,
      workerId: this.options.workerId,
      backend: this.options.backend,
      step: resume?.ref.step ?? 0,
      epoch: resume?.ref.epoch ?? 0,
    });
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    const record: MutableRecord = {
      run,
      config,
      log: new EventLog(id),
      client,
      ...(resume ? { resumeFrom: resume.ref } : {}),
      done,
      resolveDone,
    };
    this.runs.set(id, record);
    this.order.push(id);
    if (request.requestId !== '') this.byRequestId.set(request.requestId, id);
    this.queue.push(id);
    this.pending.set(id, resume);
    this.schedule();
    return this.startResponse(record);
  }

  private readonly pending = new Map<string, RestoredCheckpoint | undefined>();

  get(id: string): RunRecord {
    const record = this.runs.get(id);
    if (record === undefined) throw new NotFoundError('run', id);
    return record;
  }

  /** The run as GetRun answers (queue position filled in). */
  snapshot(id: string, omitConfig = false): trainer.Run {
    const record = this.get(id);
    const position = this.queue.indexOf(id);
    const run = { ...record.run, queuePosition: position >= 0 ? position + 1 : 0 };
    if (omitConfig) run.config = undefined;
    return run;
  }

  list(filter: ListFilter): trainer.ListRunsResponse {
    const pageSize =
      filter.pageSize === undefined || filter.pageSize <= 0 ? 50 : Math.min(filter.pageSize, 1000);
    const offset = filter.pageToken ? decodeToken(filter.pageToken) : 0;
    const states = new Set<trainer.RunState>(
      (filter.states ?? []).filter((s) => s !== RunState.RUN_STATE_UNSPECIFIED),
    );
    const matching = [...this.order]
      .reverse()
      .map((id) => this.runs.get(id)!)
      .filter((r) => states.size === 0 || states.has(r.run.state))
      .filter((r) => !filter.studyId || r.run.trial?.studyId === filter.studyId)
      .filter((r) => !filter.trialId || r.run.trial?.trialId === filter.trialId);
    const page = matching.slice(offset, offset + pageSize);
    return {
      runs: page.map((r) => this.snapshot(r.run.id, filter.omitConfig)),
      nextPageToken: offset + pageSize < matching.length ? encodeToken(offset + pageSize) : '',
    };
  }

  /** Cancels a queued run at once, a running one at its next step. Terminal runs are returned as they are. */
  cancel(id: string, reason = 'cancelled by request'): trainer.Run {
    const record = this.runs.get(id);
    if (record === undefined) throw new NotFoundError('run', id);
    if (TERMINAL.has(record.run.state)) return this.snapshot(id);
    const position = this.queue.indexOf(id);
    if (position >= 0) {
      this.queue.splice(position, 1);
      this.pending.delete(id);
      this.terminate(record, {
        state: 'cancelled',
        cancelled: { reason, step: record.run.step, lastCheckpoint: record.resumeFrom },
      });
    } else record.cancelReason ??= reason;
    return this.snapshot(id);
  }

  /** Stops taking runs, cancels all of them and waits until every running one has stopped. */
  async close(): Promise<void> {
    this.closing = true;
    for (const id of [...this.queue]) this.cancel(id, 'trainer shutting down');
    const running = [...this.runs.values()].filter((r) => !TERMINAL.has(r.run.state));
    for (const r of running) r.cancelReason ??= 'trainer shutting down';
    await Promise.all(running.map((r) => r.done));
  }

  private startResponse(record: RunRecord): trainer.StartRunResponse {
    const position = this.queue.indexOf(record.run.id);
    return { runId: record.run.id, state: record.run.state, queuePosition: position >= 0 ? position + 1 : 0 };
  }

  private schedule(): void {
    while (this.running < this.options.concurrency && this.queue.length > 0) {
      const id = this.queue.shift()!;
      const record = this.runs.get(id)!;
      const resume = this.pending.get(id);
      this.pending.delete(id);
      this.running += 1;
      record.run.state = RunState.RUN_STATE_RUNNING;
      record.run.startedAt = new Date();
      void this.execute(record, resume).finally(() => {
        this.running -= 1;
        this.schedule();
      });
    }
  }

  private async execute(record: MutableRecord, resume: RestoredCheckpoint | undefined): Promise<void> {
    const { run, config } = record;
    let session: TrainingSession | undefined;
    let summary: trainer.RunStarted['modelSummary'];
    let outcome: LoopOutcome;
    try {
      const hooks = this.options.hooksFor?.(record) ?? {};
      try {
        ({ session, summary } = await prepareRun(config, this.options.prepare));
      } catch (error) {
        const kind =
          error instanceof DataLoadError
            ? FailureKind.FAILURE_KIND_DATA_ERROR
            : error instanceof ModelBuildError || error instanceof ModelConfigError
              ? FailureKind.FAILURE_KIND_MODEL_ERROR
              : FailureKind.FAILURE_KIND_INTERNAL;
        this.terminate(record, {
          state: 'failed',
          failed: { reason: (error as Error).message, kind, step: 0, lastCheckpoint: undefined },
        });
        await hooks.onFinished?.(run, {
          state: 'failed',
          failed: { reason: (error as Error).message, kind, step: 0, lastCheckpoint: undefined },
        });
        return;
      }
      const spe = config.dataset.dropLast
        ? Math.floor(session.data.trainSize / config.batchSize)
        : Math.ceil(session.data.trainSize / config.batchSize);
      run.stepsPerEpoch = spe;
      run.totalSteps = config.maxSteps ?? spe * (config.epochs ?? 1);
      const loopHooks: LoopHooks = {
        emit: (body) => {
          this.observe(record, body);
          record.log.append(body);
        },
        stopRequested: () => record.cancelReason,
        ...(hooks.afterStep ? { afterStep: hooks.afterStep } : {}),
        ...(hooks.afterValidation ? { afterValidation: hooks.afterValidation } : {}),
      };
      try {
        outcome = await runTrainingLoop(
          {
            runId: run.id,
            ...(run.trial ? { trialId: run.trial.trialId } : {}),
            config,
            session,
            checkpoints: this.options.checkpoints,
            ...(resume ? { resume } : {}),
            backend: this.options.backend,
            device: this.options.device,
            modelSummary: summary,
          },
          loopHooks,
        );
      } catch (error) {
        const kind =
          error instanceof CheckpointError
            ? FailureKind.FAILURE_KIND_CHECKPOINT_ERROR
            : FailureKind.FAILURE_KIND_INTERNAL;
        outcome = {
          state: 'failed',
          failed: {
            reason: (error as Error).message,
            kind,
            step: run.step,
            lastCheckpoint: run.lastCheckpoint,
          },
        };
      }
      this.terminate(record, outcome);
      await hooks.onFinished?.(run, outcome);
    } catch (error) {
      this.options.logger?.error({ err: error, run: run.id }, 'run failed unexpectedly');
      if (!TERMINAL.has(run.state))
        this.terminate(record, {
          state: 'failed',
          failed: {
            reason: 'internal error',
            kind: FailureKind.FAILURE_KIND_INTERNAL,
            step: run.step,
            lastCheckpoint: run.lastCheckpoint,
          },
        });
    } finally {
      if (session) {
        session.dispose();
        session.model.dispose();
      }
    }
  }

  /** Keeps the Run snapshot current from the events. */
  private observe(record: RunRecord, body: NonNullable<trainer.RunEvent['event']>): void {
    const run = record.run;
    switch (body.$case) {
      case 'step':
        run.step = body.value.step;
        run.lastLoss = body.value.loss;
        break;
      case 'epochSummary':
        run.epoch = body.value.epoch + 1;
        run.step = body.value.step;
        break;
      case 'validation':
        run.lastValidation = body.value.result;
        if (body.value.improved) run.bestValidation = body.value.result;
        break;
      case 'checkpoint':
        run.lastCheckpoint = body.value.checkpoint;
        break;
      case 'started':
        run.totalSteps = body.value.totalSteps;
        run.stepsPerEpoch = body.value.stepsPerEpoch;
        break;
      default:
        break;
    }
  }

  private terminate(record: MutableRecord, outcome: LoopOutcome): void {
    const run = record.run;
    run.finishedAt = new Date();
    if (outcome.state === 'completed') {
      run.state = RunState.RUN_STATE_COMPLETED;
      run.finishReason = outcome.finished.reason;
      run.step = outcome.finished.step;
      run.epoch = outcome.finished.epoch;
      if (outcome.finished.finalCheckpoint) run.lastCheckpoint = outcome.finished.finalCheckpoint;
      record.log.append({ $case: 'finished', value: outcome.finished });
    } else if (outcome.state === 'cancelled') {
      run.state = RunState.RUN_STATE_CANCELLED;
      run.failureReason = outcome.cancelled.reason;
      if (outcome.cancelled.lastCheckpoint) run.lastCheckpoint = outcome.cancelled.lastCheckpoint;
      record.log.append({ $case: 'cancelled', value: outcome.cancelled });
    } else {
      run.state = RunState.RUN_STATE_FAILED;
      run.failureReason = outcome.failed.reason;
      record.log.append({ $case: 'failed', value: outcome.failed });
    }
    record.resolveDone();
  }
}

function checkResumable(config: ResolvedTrainConfig, resume: RestoredCheckpoint): void {
  const now = identityOf(config);
  const then = resume.identity;
  const problems: { field: string; description: string }[] = [];
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  if (!same(now.model, then.model))
    problems.push({ field: 'config.model', description: 'differs from the checkpointed run' });
  if (!same(now.dataset, then.dataset))
    problems.push({ field: 'config.dataset', description: 'differs from the checkpointed run' });
  if (now.batchSize !== then.batchSize)
    problems.push({
      field: 'config.batch_size',
      description: `is ${now.batchSize}, the checkpointed run used ${then.batchSize}`,
    });
  if (now.optimizer !== then.optimizer)
    problems.push({
      field: 'config.optimizer',
      description: `is ${now.optimizer}, the checkpointed run used ${then.optimizer}`,
    });
  if (now.seed !== then.seed)
    problems.push({ field: 'config.seed', description: `is ${now.seed}, the checkpoint's is ${then.seed}` });
  if (problems.length > 0) throw new InvalidArgumentError(problems);
}

function encodeToken(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

function decodeToken(token: string): number {
  const m = /^o:(\d+)$/.exec(Buffer.from(token, 'base64url').toString());
  if (!m)
    throw new InvalidArgumentError({ field: 'page_token', description: 'is not a token from ListRuns' });
  return Number(m[1]);
}
