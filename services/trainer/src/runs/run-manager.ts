import { randomUUID } from 'node:crypto';
import { type Context, context, ROOT_CONTEXT } from '@opentelemetry/api';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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
import type { EventFile } from './event-file';
import { EventLog } from './event-log';
import type { StoredRun } from './run-file';
import { currentOwner, mayLoad } from './run-owner';
import { recoveryOf } from './run-recovery';
import { withRunSpan } from './run-span';
import { RunStore } from './run-store';

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
  /** Step events a run's event file keeps at most (event-file.ts). Default MAX_STEP_LINES. */
  readonly maxStepEventsOnDisk?: number;
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
  readonly requestId: string;
  /** StartRunRequest.resume_from, kept across restarts (`resumeFrom` is where training last began). */
  readonly startedFrom?: training.CheckpointRef;
  /** Where training last began: StartRun's checkpoint, or the one a restart resumed from. */
  resumeFrom?: training.CheckpointRef;
  /** Times a restarted trainer resumed the run. */
  restarts: number;
  /** Appends the run's events to its file; unset once a write failed (the log stays in memory). */
  file?: EventFile;
  /** Whether writing the record failed already (warned once). */
  persistFailed?: boolean;
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
 *
 * Each run's record and events are kept on disk beside its checkpoints (run-store.ts) and loaded
 * when a manager starts on the same directory: a restarted trainer answers GetRun, ListRuns and
 * WatchRun (with replay) for the runs it had. A run it was training or had queued when it died is
 * queued again and resumes from its newest checkpoint (from the start if it had none), the
 * `started` event saying where from; a run executing a tuner trial fails instead (run-recovery.ts).
 * A record that cannot be read is skipped with a warning.
 */
export class RunManager {
  private readonly runs = new Map<string, MutableRecord>();
  private readonly order: string[] = [];
  private readonly queue: string[] = [];
  private readonly byRequestId = new Map<string, string>();
  private readonly store: RunStore;
  private readonly owner = currentOwner();
  private running = 0;
  private closing = false;

  constructor(private readonly options: RunManagerOptions) {
    this.store = new RunStore(options.checkpoints.root);
    this.restore();
  }

  get concurrency(): number {
    return this.options.concurrency;
  }

  get activeRuns(): number {
    return this.running;
  }

  /**
   * Validates and queues a run. `parent` is the trace context the run's span hangs under: by default
   * the caller's (StartRun's server span), for a trial the trial's trace.
   */
  start(
    request: trainer.StartRunRequest,
    client = '',
    parent: Context = context.active(),
  ): trainer.StartRunResponse {
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

    let id: string;
    // Ids are short; with records kept on a volume other trainers share, make sure it is new.
    do id = `run-${randomUUID().slice(0, 8)}`;
    while (this.runs.has(id) || this.store.has(id));
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
    const record = this.newRecord(run, config, {
      client,
      requestId: request.requestId,
      ...(resume ? { resumeFrom: resume.ref, startedFrom: resume.ref } : {}),
      restarts: 0,
      file: this.store.eventFile(id, undefined, this.options.maxStepEventsOnDisk),
    });
    this.add(record);
    this.persist(record, true);
    this.queue.push(id);
    this.pending.set(id, resume);
    this.parents.set(id, parent);
    this.schedule();
    return this.startResponse(record);
  }

  private readonly pending = new Map<string, RestoredCheckpoint | undefined>();
  /** Trial runs this start found interrupted and failed, until the worker tells the tuner. */
  private interruptedTrials: trainer.Run[] = [];

  /**
   * The trial runs a restart failed (run-recovery.ts), once: the worker tells the tuner so the
   * trials go back to the queue now, not when their leases lapse.
   */
  takeInterruptedTrials(): trainer.Run[] {
    const runs = this.interruptedTrials;
    this.interruptedTrials = [];
    return runs;
  }

  /** Trace context of each queued run (not persisted: a run resumed after a restart starts a new trace). */
  private readonly parents = new Map<string, Context>();

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
      this.parents.delete(id);
      this.terminate(record, {
        state: 'cancelled',
        cancelled: { reason, step: record.run.step, lastCheckpoint: record.resumeFrom },
      });
    } else if (record.cancelReason === undefined) {
      record.cancelReason = reason;
      // Acknowledged: a trainer restarted before the run stopped ends it as cancelled.
      this.persist(record, true);
    }
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
      const parent = this.parents.get(id) ?? ROOT_CONTEXT;
      this.parents.delete(id);
      this.running += 1;
      record.run.state = RunState.RUN_STATE_RUNNING;
      record.run.startedAt = new Date();
      // Not fsynced: a record that lost this write is QUEUED, and a restart treats both alike.
      this.persist(record, false);
      void withRunSpan(record, parent, () => this.execute(record, resume)).finally(() => {
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
          observe(run, body);
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

  private terminate(record: MutableRecord, outcome: LoopOutcome): void {
    settle(record.run, outcome);
    record.log.append(terminalEvent(outcome));
    this.persist(record, true);
    record.resolveDone();
  }

  private newRecord(
    run: trainer.Run,
    config: ResolvedTrainConfig,
    rest: Pick<MutableRecord, 'client' | 'requestId' | 'resumeFrom' | 'startedFrom' | 'restarts' | 'file'>,
    /** The run's event log, given the sink that writes its events; default a new log. */
    makeLog: (sink: (event: trainer.RunEvent) => void) => EventLog = (sink) => new EventLog(run.id, { sink }),
  ): MutableRecord {
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    const record: MutableRecord = {
      run,
      config,
      log: makeLog((event) => this.writeEvent(record, event)),
      ...rest,
      done,
      resolveDone,
    };
    return record;
  }

  private add(record: MutableRecord): void {
    this.runs.set(record.run.id, record);
    this.order.push(record.run.id);
    if (record.requestId !== '') this.byRequestId.set(record.requestId, record.run.id);
  }

  private storedOf(record: MutableRecord): StoredRun {
    return {
      run: record.run,
      client: record.client,
      requestId: record.requestId,
      ...(record.cancelReason !== undefined ? { cancelReason: record.cancelReason } : {}),
      ...(record.startedFrom ? { resumeFrom: record.startedFrom } : {}),
      owner: this.owner,
      restarts: record.restarts,
    };
  }

  /**
   * Writes the run's record, when its state changes; `durable` fsyncs it. A failure (disk full) is
   * warned about once and training goes on: the run is only no longer known to a restarted trainer.
   */
  private persist(record: MutableRecord, durable: boolean): void {
    try {
      this.store.writeRun(this.storedOf(record), durable);
    } catch (error) {
      if (record.persistFailed) return;
      record.persistFailed = true;
      this.options.logger?.warn(
        { err: error, run: record.run.id },
        'cannot write the run record; a restarted trainer will not see its latest state',
      );
    }
  }

  private writeEvent(record: MutableRecord, event: trainer.RunEvent): void {
    if (record.file === undefined) return;
    try {
      record.file.append(event);
    } catch (error) {
      // A partly written line would end the file for good: stop writing it (replays use memory).
      record.file.close();
      record.file = undefined;
      this.options.logger?.warn(
        { err: error, run: record.run.id },
        'cannot append to the run event file; a restarted trainer will replay only the events before',
      );
    }
  }

  /** Loads the runs this trainer had before a restart (run-store.ts); see the class comment. */
  private restore(): void {
    const loaded: { record: MutableRecord; recovery: ReturnType<typeof recoveryOf> }[] = [];
    for (const id of this.store.runIds()) {
      try {
        const entry = this.load(id);
        if (entry) loaded.push(entry);
      } catch (error) {
        this.options.logger?.warn(
          { run: id, directory: this.store.directoryOf(id), err: (error as Error).message },
          'skipping a run record that cannot be read',
        );
      }
    }
    loaded.sort(
      (a, b) =>
        a.record.run.createdAt!.getTime() - b.record.run.createdAt!.getTime() ||
        a.record.run.id.localeCompare(b.record.run.id),
    );
    for (const { record, recovery } of loaded) {
      this.add(record);
      if (recovery.kind === 'keep') record.resolveDone();
      else if (recovery.kind === 'settle-record') {
        settle(record.run, recovery.outcome);
        this.persist(record, true);
        record.resolveDone();
      } else if (recovery.kind === 'settle-log') {
        record.log.append(terminalEvent(recovery.outcome));
        record.resolveDone();
      } else if (recovery.kind === 'end') {
        this.options.logger?.warn(
          { run: record.run.id, reason: runReason(recovery.outcome) },
          'a run was interrupted by a trainer restart',
        );
        this.terminate(record, recovery.outcome);
        if (record.run.trial !== undefined) this.interruptedTrials.push(record.run);
      } else this.requeue(record);
    }
    if (this.queue.length > 0) setImmediate(() => this.schedule());
  }

  /** Reads one run's record and events; undefined when the run belongs to another trainer. */
  private load(id: string): { record: MutableRecord; recovery: ReturnType<typeof recoveryOf> } | undefined {
    const stored = this.store.readRun(id);
    if (!mayLoad(stored.owner, this.owner)) {
      this.options.logger?.debug({ run: id, owner: stored.owner }, 'a run record of another trainer');
      return undefined;
    }
    this.store.removeLeftovers(id);
    const contents = this.store.readEvents(id);
    const config = resolveTrainConfig(stored.run.config, 'config');
    const run = stored.run;
    // The record is written when the state changes; the progress since (steps, validations,
    // checkpoints) is in the events.
    if (!TERMINAL.has(run.state)) for (const e of contents.events) observe(run, e.event!);
    const recovery = recoveryOf(stored, contents.events);
    const rest = {
      client: stored.client,
      requestId: stored.requestId,
      ...(run.resumedFrom ? { resumeFrom: run.resumedFrom } : {}),
      ...(stored.resumeFrom ? { startedFrom: stored.resumeFrom } : {}),
      restarts: stored.restarts,
    };
    let record: MutableRecord;
    if (recovery.kind === 'keep' || recovery.kind === 'settle-record') {
      // Finished: the events stay on disk until a watcher asks for them.
      const last = contents.events[contents.events.length - 1].sequence;
      record = this.newRecord(run, config, rest, () => EventLog.onDisk(id, last, () => this.readEvents(id)));
    } else {
      const file = this.store.eventFile(id, contents, this.options.maxStepEventsOnDisk);
      record = this.newRecord(
        run,
        config,
        { ...rest, file },
        (sink) => new EventLog(id, { restored: contents.events, sink }),
      );
    }
    if (stored.cancelReason !== undefined) record.cancelReason = stored.cancelReason;
    return { record, recovery };
  }

  private readEvents(id: string): trainer.RunEvent[] {
    try {
      return this.store.readEvents(id).events;
    } catch (error) {
      this.options.logger?.warn({ err: error, run: id }, 'cannot read the run event file');
      return [];
    }
  }

  /** Queues a run interrupted by a restart again, from its newest checkpoint if it has one. */
  private requeue(record: MutableRecord): void {
    const run = record.run;
    const resume = this.resumePoint(record);
    run.state = RunState.RUN_STATE_QUEUED;
    run.workerId = this.options.workerId;
    run.backend = this.options.backend;
    run.finishedAt = undefined;
    run.resumedFrom = resume?.ref;
    run.step = resume?.ref.step ?? 0;
    run.epoch = resume?.ref.epoch ?? 0;
    if (resume === undefined) {
      run.lastLoss = undefined;
      run.lastValidation = undefined;
      run.bestValidation = undefined;
      run.lastCheckpoint = undefined;
    }
    record.resumeFrom = resume?.ref;
    record.restarts += 1;
    this.persist(record, true);
    this.queue.push(run.id);
    this.pending.set(run.id, resume);
    this.options.logger?.info(
      { run: run.id, resumeFrom: resume?.ref.uri ?? '', step: run.step },
      resume
        ? 'resuming a run interrupted by a trainer restart from its newest checkpoint'
        : 'restarting a run interrupted by a trainer restart from the beginning (no checkpoint)',
    );
  }

  /**
   * Where an interrupted run resumes: its newest readable checkpoint on disk (the process may have
   * died between writing one and its event), else the one it reported last, else the checkpoint it was
   * started from; undefined: from the beginning.
   */
  private resumePoint(record: MutableRecord): RestoredCheckpoint | undefined {
    const { run, config } = record;
    const candidates: string[] = [];
    try {
      const dir = this.options.checkpoints.directoryOf(run.id, config.checkpoint.directory);
      const own = readdirSync(dir)
        .filter((f) => /^step-\d+\.ckpt$/.test(f))
        .sort()
        .reverse();
      candidates.push(...own.map((f) => pathToFileURL(join(dir, f)).href));
    } catch {
      // No checkpoint directory: no checkpoints of its own.
    }
    for (const ref of [run.lastCheckpoint, record.startedFrom])
      if (ref?.uri && !candidates.includes(ref.uri)) candidates.push(ref.uri);
    for (const uri of candidates) {
      try {
        const restored = this.options.checkpoints.load(uri);
        // A shared CheckpointPolicy.directory holds other runs' checkpoints too.
        if (restored.ref.runId !== run.id && uri !== record.startedFrom?.uri) continue;
        checkResumable(config, restored);
        return restored;
      } catch (error) {
        this.options.logger?.warn(
          { run: run.id, checkpoint: uri, err: (error as Error).message },
          'cannot resume from a checkpoint; trying an older one',
        );
      }
    }
    return undefined;
  }
}

/** Keeps the Run snapshot current from the events. */
function observe(run: trainer.Run, body: NonNullable<trainer.RunEvent['event']>): void {
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

/** Sets a run's terminal state from its outcome. */
function settle(run: trainer.Run, outcome: LoopOutcome): void {
  run.finishedAt = new Date();
  if (outcome.state === 'completed') {
    run.state = RunState.RUN_STATE_COMPLETED;
    run.finishReason = outcome.finished.reason;
    run.step = outcome.finished.step;
    run.epoch = outcome.finished.epoch;
    if (outcome.finished.finalCheckpoint) run.lastCheckpoint = outcome.finished.finalCheckpoint;
  } else if (outcome.state === 'cancelled') {
    run.state = RunState.RUN_STATE_CANCELLED;
    run.failureReason = outcome.cancelled.reason;
    if (outcome.cancelled.lastCheckpoint) run.lastCheckpoint = outcome.cancelled.lastCheckpoint;
  } else {
    run.state = RunState.RUN_STATE_FAILED;
    run.failureReason = outcome.failed.reason;
  }
}

function terminalEvent(outcome: LoopOutcome): NonNullable<trainer.RunEvent['event']> {
  if (outcome.state === 'completed') return { $case: 'finished', value: outcome.finished };
  if (outcome.state === 'cancelled') return { $case: 'cancelled', value: outcome.cancelled };
  return { $case: 'failed', value: outcome.failed };
}

function runReason(outcome: LoopOutcome): string {
  return outcome.state === 'failed'
    ? outcome.failed.reason
    : outcome.state === 'cancelled'
      ? outcome.cancelled.reason
      : 'completed';
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
