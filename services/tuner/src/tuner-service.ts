import { randomInt, randomUUID } from 'node:crypto';
import { tuner } from '@athanor/contracts';
import {
  AthanorError,
  type AsyncImplementation,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  type FieldViolation,
} from '@athanor/service-kit';
import {
  type IntermediatePoint,
  LeaseLostError,
  StoreError,
  type StudyStore,
  TERMINAL_STUDY_STATES,
  type TrialIdentity,
  type TrialRecord,
} from '@athanor/store';
import type { SpanContext } from '@opentelemetry/api';
import { status, type ServerWritableStream } from '@grpc/grpc-js';
import type { TunerConfig } from './config';
import type { PrunerTrial } from './pruners/pruner';
import { fitToBudget, neverFits } from './memory/fit-memory';
import { materialize } from './search/materialize';
import type { Observation } from './search/sampler';
import { compileStudy, durationMs, type CompiledStudy } from './study/compile-study';
import {
  checkpointFromProto,
  checkpointToProto,
  eventToProto,
  STUDY_STATE,
  studyToProto,
  trialToProto,
} from './study/convert';
import { IMPORTANCE_METHOD, importances } from './study/importance';
import { scaleHyperparameters } from './study/scale-hyperparameters';
import { scalingReport } from './study/scaling-report';
import { StudyCache } from './study/study-cache';
import { activeSpanContext, leaseTraceParent, startTrialTrace } from './tracing/trial-trace';

type Impl = AsyncImplementation<typeof tuner.TunerServiceService>;

const required = (ok: boolean, field: string, description = 'is required') => {
  if (!ok) throw new InvalidArgumentError({ field, description });
};

/** Store errors (a caller's mistake) become the gRPC statuses the contract names. */
async function guard<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof StoreError) {
      if (err.kind === 'not_found') throw new AthanorError(status.NOT_FOUND, err.message);
      throw new FailedPreconditionError(err.message);
    }
    throw err;
  }
}

const duration = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: Math.round((ms % 1000) * 1e6) });

/** The TunerService RPCs over a StudyStore: validation, sampling and pruning here; state in the store. */
export class TunerRpc {
  private readonly cache: StudyCache;

  constructor(
    private readonly store: StudyStore,
    private readonly config: TunerConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.cache = new StudyCache(store);
  }

  implementation(): Partial<Impl> {
    return {
      createStudy: (r) => this.createStudy(r),
      getStudy: (r) => this.getStudy(r),
      listStudies: (r) => this.listStudies(r),
      stopStudy: (r) => this.stopStudy(r),
      watchStudy: (r, call) => this.watchStudy(r, call),
      suggestTrials: (r) => this.suggestTrials(r),
      heartbeatTrial: (r) => this.heartbeatTrial(r),
      reportIntermediate: (r) => this.reportIntermediate(r),
      completeTrial: (r) => this.completeTrial(r),
      scaleHyperparameters: (r) => Promise.resolve(scaleHyperparameters(r)),
    };
  }

  async createStudy(r: tuner.CreateStudyRequest): Promise<tuner.CreateStudyResponse> {
    required(r.spec !== undefined, 'spec');
    const compiled = compileStudy(r.spec!, () => randomInt(0, 2 ** 31));
    const spec = compiled.spec;
    const now = this.now();
    const budget = spec.budget;
    // Grid and sweep budgets default to (and never exceed) their size.
    const size = compiled.sampler.size;
    const maxTrials = Number.isFinite(size)
      ? Math.min(budget?.maxTrials || size, size)
      : (budget?.maxTrials ?? 0);
    const { study } = await this.store.createStudy({
      id: randomUUID(),
      name: spec.name,
      spec: tuner.StudySpec.toJSON(spec),
      direction: compiled.direction,
      maxTrials,
      maxParallel: Math.max(1, budget?.maxParallelTrials ?? 1),
      maxAttempts: spec.lease?.maxAttempts ?? 3,
      leaseMs: spec.lease?.leaseDuration
        ? durationMs(spec.lease.leaseDuration)
        : this.config.leaseSeconds * 1000,
      deadline: budget?.maxDuration ? now + durationMs(budget.maxDuration) : null,
      requestId: r.requestId,
      now,
    });
    return { study: studyToProto(study, { withBaseConfig: true }) };
  }

  async getStudy(r: tuner.GetStudyRequest): Promise<tuner.GetStudyResponse> {
    required(r.studyId !== '', 'study_id');
    if (r.leaderboardSize < 0 || r.leaderboardSize > 1000)
      throw new InvalidArgumentError({
        field: 'leaderboard_size',
        description: `must be in [0, 1000], got ${r.leaderboardSize}`,
      });
    const { record, compiled } = await this.cache.study(r.studyId);
    const leaders = await this.store.bestTrials(record.id, r.leaderboardSize || 10);
    const points = async (t: TrialRecord) =>
      r.includeIntermediateValues ? await this.store.intermediateValues(t.id) : [];
    const leaderboard = await Promise.all(
      leaders.map(async (t) => trialToProto(t, compiled.space, await points(t))),
    );
    const finished = await this.store.listTrials(record.id, ['COMPLETED', 'PRUNED', 'FAILED', 'INFEASIBLE']);
    const completed = finished.filter((t) => t.state === 'COMPLETED' && t.objectiveValue !== null);
    return {
      study: studyToProto(record, { withBaseConfig: true }),
      bestTrial: leaderboard[0],
      leaderboard,
      importances: importances(
        compiled.space,
        completed.map((t) => ({ params: t.params, value: t.objectiveValue! })),
      ),
      importanceMethod: IMPORTANCE_METHOD,
      scalingReport: scalingReport(compiled, finished),
    };
  }

  async listStudies(r: tuner.ListStudiesRequest): Promise<tuner.ListStudiesResponse> {
    const size = r.pageSize || 50;
    if (size < 0 || size > 1000)
      throw new InvalidArgumentError({
        field: 'page_size',
        description: `must be in [0, 1000], got ${r.pageSize}`,
      });
    const offset = r.pageToken ? Number(Buffer.from(r.pageToken, 'base64url').toString()) : 0;
    if (!Number.isSafeInteger(offset) || offset < 0)
      throw new InvalidArgumentError({
        field: 'page_token',
        description: 'is not a token this service gave',
      });
    const states = r.states
      .filter((s) => s !== tuner.StudyState.STUDY_STATE_UNSPECIFIED)
      .map((s) => {
        const name = Object.entries(STUDY_STATE).find(([, v]) => v === s)?.[0];
        if (!name) throw new InvalidArgumentError({ field: 'states', description: `unknown state ${s}` });
        return name as keyof typeof STUDY_STATE;
      });
    const page = await this.store.listStudies({ states, limit: size + 1, offset });
    return {
      studies: page.slice(0, size).map((s) => studyToProto(s)),
      nextPageToken: page.length > size ? Buffer.from(String(offset + size)).toString('base64url') : '',
    };
  }

  async stopStudy(r: tuner.StopStudyRequest): Promise<tuner.StopStudyResponse> {
    required(r.studyId !== '', 'study_id');
    await this.cache.study(r.studyId);
    const study = await guard(
      this.store.setStudyState(r.studyId, {
        state: 'STOPPING',
        reason: r.reason || 'stopped by StopStudy',
        stopRunning: r.stopRunningTrials,
        now: this.now(),
      }),
    );
    return { study: studyToProto(study, { withBaseConfig: true }) };
  }

  async watchStudy(
    r: tuner.WatchStudyRequest,
    call: ServerWritableStream<tuner.WatchStudyRequest, tuner.WatchStudyResponse>,
  ): Promise<void> {
    required(r.studyId !== '', 'study_id');
    if (r.afterSequence < 0)
      throw new InvalidArgumentError({ field: 'after_sequence', description: 'must be >= 0' });
    const { record, compiled } = await this.cache.study(r.studyId);
    let after = r.afterSequence > 0 ? r.afterSequence : r.replay ? 0 : record.lastSequence;
    let wake: (() => void) | undefined;
    const unsubscribe = this.store.subscribe((id) => {
      if (id === r.studyId) wake?.();
    });
    const closed = new Promise<void>((resolve) => {
      call.on('cancelled', resolve);
      call.on('close', resolve);
    });
    let open = true;
    void closed.then(() => (open = false));
    try {
      while (open) {
        const events = await this.store.events(r.studyId, after, 500);
        for (const e of events) {
          if (!call.write({ event: eventToProto(e, compiled.space) }))
            await new Promise((res) => call.once('drain', res));
          after = e.sequence;
        }
        if (events.length === 500) continue;
        const study = await this.store.getStudy(r.studyId);
        if (!study || (TERMINAL_STUDY_STATES.includes(study.state) && study.lastSequence <= after)) return;
        // Woken by this process's commits; polled for other replicas' (PostgreSQL).
        await Promise.race([
          new Promise<void>((res) => {
            wake = res;
            setTimeout(res, 1000).unref();
          }),
          closed,
        ]);
      }
    } finally {
      unsubscribe();
    }
  }

  async suggestTrials(r: tuner.SuggestTrialsRequest): Promise<tuner.SuggestTrialsResponse> {
    required(r.workerId !== '', 'worker_id');
    if (r.count < 0)
      throw new InvalidArgumentError({ field: 'count', description: `must be >= 0, got ${r.count}` });
    const budget = r.memoryBudgetBytes;
    if (!Number.isSafeInteger(budget) || budget < 0)
      throw new InvalidArgumentError({
        field: 'memory_budget_bytes',
        description: `must be >= 0 (0: unknown), got ${budget}`,
      });
    const count = Math.min(r.count || 1, this.config.maxSuggestCount);
    if (r.studyId) {
      const { record, compiled } = await this.cache.study(r.studyId);
      // Polling a study that can never give this worker a trial would spin forever: say why.
      const why = record.state === 'RUNNING' ? neverFits(compiled, budget) : undefined;
      if (why) throw new FailedPreconditionError(why);
    }
    const now = this.now();
    // New trials get their own trace, linked to this call's span (see tracing/trial-trace.ts).
    const caller = activeSpanContext();
    const traceOf = (t: TrialIdentity) => startTrialTrace(t, caller);
    const leaseIds = Array.from({ length: count }, () => randomUUID());
    const leased = await this.store.leaseQueued({
      studyId: r.studyId,
      workerId: r.workerId,
      count,
      now,
      leaseIds,
      maxMemoryBytes: budget,
      traceOf,
    });
    const studies = r.studyId
      ? [r.studyId]
      : (await this.store.listStudies({ states: ['RUNNING'], limit: 1000, offset: 0 }))
          .map((s) => s.id)
          .reverse();
    const hopeless: string[] = [];
    let openStudies = 0;
    for (const id of studies) {
      if (leased.length >= count) break;
      const { record, compiled } = await this.cache.study(id);
      if (record.state !== 'RUNNING') continue;
      if (record.deadline !== null && now >= record.deadline) {
        if (record.counts.running === 0)
          await this.store.setStudyState(id, { state: 'COMPLETED', reason: 'max_duration reached', now });
        continue;
      }
      openStudies++;
      const why = neverFits(compiled, budget);
      if (why) {
        hopeless.push(why);
        continue;
      }
      const history = compiled.sampler.needsHistory ? await this.history(id, compiled) : [];
      // Grows with each trial made below, so one call's trials are distinct among themselves too.
      const taken = compiled.sampler.needsTaken
        ? (await this.store.listTrials(id)).map((t) => ({ ...t.params }))
        : [];
      const created = await this.store.createLeasedTrials({
        studyId: id,
        workerId: r.workerId,
        count: count - leased.length,
        leaseIds: leaseIds.slice(leased.length),
        now,
        traceOf,
        make: (number) => {
          const proposed = compiled.sampler.propose({ number, history, taken });
          if (!proposed) return undefined;
          const fitted = fitToBudget(compiled, proposed, budget);
          taken.push(fitted.params);
          const { scaling } = fitted.materialized;
          return {
            id: randomUUID(),
            params: fitted.params,
            scaling: scaling
              ? {
                  batchSize: scaling.batchSize,
                  lr: scaling.lr,
                  warmupEpochs: scaling.warmupEpochs,
                  warmupStartFactor: scaling.warmupEpochs > 0 ? scaling.warmupStartFactor : 0,
                }
              : null,
            memoryBytes: fitted.memoryBytes,
            ...(fitted.tooBig
              ? {
                  queueReason: `it ${fitted.tooBig} (worker ${r.workerId}); left for a worker with more memory`,
                }
              : {}),
          };
        },
      });
      leased.push(...created);
    }
    // Asked of any study, and none can ever fit this worker: as clear as asking of one.
    if (leased.length === 0 && openStudies > 0 && hopeless.length === openStudies)
      throw new FailedPreconditionError(
        `no running study has a trial that fits this worker: ${hopeless.slice(0, 3).join('; ')}`,
      );
    const assignments = await Promise.all(leased.map((t) => this.assignment(t, caller)));
    let finished = false;
    if (assignments.length === 0) {
      const open = r.studyId
        ? [await this.store.getStudy(r.studyId)]
        : await this.store.listStudies({ states: ['RUNNING'], limit: 1, offset: 0 });
      finished = open.every((s) => !s || s.state !== 'RUNNING');
    }
    return {
      assignments,
      studyFinished: finished,
      retryAfter: assignments.length ? undefined : duration(1000),
    };
  }

  async heartbeatTrial(r: tuner.HeartbeatTrialRequest): Promise<tuner.HeartbeatTrialResponse> {
    required(r.trialId !== '', 'trial_id');
    required(r.leaseId !== '', 'lease_id');
    try {
      const t = await guard(
        this.store.heartbeat({
          trialId: r.trialId,
          leaseId: r.leaseId,
          now: this.now(),
          step: r.step,
          runId: r.runId,
          checkpoint: checkpointFromProto(r.checkpoint),
        }),
      );
      const stop = await this.stopReasonOf(t);
      return {
        leaseExpiresAt: new Date(t.leaseExpiresAt!),
        shouldStop: stop !== tuner.StopReason.STOP_REASON_UNSPECIFIED,
        stopReason: stop,
      };
    } catch (err) {
      if (err instanceof FailedPreconditionError)
        return {
          leaseExpiresAt: undefined,
          shouldStop: true,
          stopReason: tuner.StopReason.STOP_REASON_LEASE_LOST,
        };
      throw err;
    }
  }

  async reportIntermediate(r: tuner.ReportIntermediateRequest): Promise<tuner.ReportIntermediateResponse> {
    required(r.trialId !== '', 'trial_id');
    required(r.leaseId !== '', 'lease_id');
    if (!Number.isFinite(r.value))
      throw new InvalidArgumentError({ field: 'value', description: `must be finite, got ${r.value}` });
    if (r.step < 0)
      throw new InvalidArgumentError({ field: 'step', description: `must be >= 0, got ${r.step}` });
    const trial = await this.store.getTrial(r.trialId);
    if (!trial) throw new NotFoundError('trial', r.trialId);
    const lost = {
      shouldPrune: true,
      stopReason: tuner.StopReason.STOP_REASON_LEASE_LOST,
      leaseExpiresAt: undefined,
    };
    if (trial.state !== 'RUNNING' || trial.leaseId !== r.leaseId) return lost;
    const { compiled } = await this.cache.study(trial.studyId);
    const prune = trial.stopReason === 'PRUNED' || (await this.prunerSays(trial, compiled, r.step, r.value));
    try {
      const t = await guard(
        this.store.reportIntermediate({
          trialId: r.trialId,
          leaseId: r.leaseId,
          now: this.now(),
          step: r.step,
          value: r.value,
          prune,
          checkpoint: checkpointFromProto(r.checkpoint),
        }),
      );
      const stop = await this.stopReasonOf(t);
      return {
        shouldPrune: stop !== tuner.StopReason.STOP_REASON_UNSPECIFIED,
        stopReason: stop,
        leaseExpiresAt: new Date(t.leaseExpiresAt!),
      };
    } catch (err) {
      if (err instanceof FailedPreconditionError) return lost;
      throw err;
    }
  }

  async completeTrial(r: tuner.CompleteTrialRequest): Promise<tuner.CompleteTrialResponse> {
    required(r.trialId !== '', 'trial_id');
    required(r.leaseId !== '', 'lease_id');
    const o = r.outcome;
    if (!o)
      throw new InvalidArgumentError({
        field: 'outcome',
        description: 'is required: completed, failed, infeasible or pruned',
      });
    const v: FieldViolation[] = [];
    if (o.$case === 'completed' && !Number.isFinite(o.value.objectiveValue))
      v.push({
        field: 'completed.objective_value',
        description: `must be finite, got ${o.value.objectiveValue}`,
      });
    if (v.length) throw new InvalidArgumentError(v);
    const outcome =
      o.$case === 'completed'
        ? { state: 'COMPLETED' as const, value: o.value.objectiveValue, metrics: o.value.metrics }
        : o.$case === 'failed'
          ? { state: 'FAILED' as const, reason: o.value.reason || 'failed', retryable: o.value.retryable }
          : o.$case === 'infeasible'
            ? { state: 'INFEASIBLE' as const, reason: o.value.reason || 'infeasible' }
            : { state: 'PRUNED' as const, step: o.value.step };
    const t = await guard(
      this.store.finishTrial({
        trialId: r.trialId,
        leaseId: r.leaseId,
        now: this.now(),
        outcome,
        runId: r.runId,
        checkpoint: checkpointFromProto(r.checkpoint),
      }),
    ).catch((err: unknown) => {
      if (err instanceof FailedPreconditionError) throw err;
      if (err instanceof LeaseLostError) throw new FailedPreconditionError(err.message);
      throw err;
    });
    const { compiled } = await this.cache.study(t.studyId);
    return { trial: trialToProto(t, compiled.space) };
  }

  /** Lapsed leases back to the queue (or FAILED after max attempts). */
  async reap(): Promise<number> {
    return (await this.store.requeueExpired(this.now())).length;
  }

  private async assignment(t: TrialRecord, caller: SpanContext | undefined): Promise<tuner.TrialAssignment> {
    const { record, compiled } = await this.cache.study(t.studyId);
    return {
      trial: trialToProto(t, compiled.space),
      leaseId: t.leaseId,
      leaseExpiresAt: new Date(t.leaseExpiresAt!),
      heartbeatInterval: duration(record.leaseMs / 3),
      config: materialize(compiled, t.params).config,
      resumeFrom: t.attempts > 1 ? checkpointToProto(t.checkpoint) : undefined,
      objectiveMetric: compiled.metric,
      traceParent: leaseTraceParent(t, caller),
    };
  }

  private async stopReasonOf(t: TrialRecord): Promise<tuner.StopReason> {
    if (t.stopReason === 'PRUNED') return tuner.StopReason.STOP_REASON_PRUNED;
    const study = await this.store.getStudy(t.studyId);
    if (study && study.stopRunning && study.state !== 'RUNNING')
      return tuner.StopReason.STOP_REASON_STUDY_STOPPED;
    return tuner.StopReason.STOP_REASON_UNSPECIFIED;
  }

  private async history(studyId: string, compiled: CompiledStudy): Promise<Observation[]> {
    const sign = compiled.direction === 'MAXIMIZE' ? -1 : 1;
    const done = await this.store.listTrials(studyId, ['COMPLETED', 'PRUNED']);
    return done
      .filter((t) => t.objectiveValue !== null)
      .map((t) => ({
        number: t.number,
        params: { ...t.params },
        loss: sign * t.objectiveValue!,
        pruned: t.state === 'PRUNED',
        step: t.step,
      }));
  }

  private async prunerSays(
    trial: TrialRecord,
    compiled: CompiledStudy,
    step: number,
    value: number,
  ): Promise<boolean> {
    if (compiled.pruner.name === 'none') return false;
    const sign = compiled.direction === 'MAXIMIZE' ? -1 : 1;
    const [trials, values] = await Promise.all([
      this.store.listTrials(trial.studyId),
      this.store.studyIntermediateValues(trial.studyId),
    ]);
    const toPoints = (ps: readonly IntermediatePoint[]) =>
      ps.map((p) => ({ step: p.step, loss: sign * p.value }));
    const peers: PrunerTrial[] = trials.map((t) => {
      let points = toPoints(values.get(t.id) ?? []);
      if (t.id === trial.id)
        points = [...points.filter((p) => p.step !== step), { step, loss: sign * value }].sort(
          (a, b) => a.step - b.step,
        );
      return { id: t.id, number: t.number, state: t.state, points };
    });
    const me = peers.find((p) => p.id === trial.id)!;
    return compiled.pruner.shouldPrune({ trial: me, step, trials: peers });
  }
}
