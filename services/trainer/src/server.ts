import { availableParallelism, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { type ComputeInfo, initCompute } from '@athanor/compute';
import { trainer } from '@athanor/contracts';
import {
  clientCredentials,
  clientOptions,
  describeService,
  InvalidArgumentError,
  packageVersion,
  type RunningService,
  startService,
} from '@athanor/service-kit';
import { Counter } from 'prom-client';
import { CheckpointStore } from './checkpoint/checkpoint-store';
import { concurrencyOf, type TrainerConfig } from './config';
import { findLearningRate } from './loop/lr-finder';
import { prepareSession } from './loop/prepare-session';
import { groupsOf, MAX_PREVIEW_STEPS, previewDefinition, previewPlan } from './loop/preview';
import { openData } from './data/open-data';
import { stepsPerEpoch } from './data/data-source';
import { RemoteModelBuilder } from './model-source/remote-model-builder';
import { MetricsReporter } from './reporting/metrics-reporter';
import { resolveTrainConfig } from './run-config/resolve-config';
import { isTerminalEvent } from './runs/event-log';
import { type RunHooks, RunManager, type RunRecord } from './runs/run-manager';
import { TunerWorker } from './worker/tuner-worker';

export interface TrainerOptions {
  /** Environment for the compute backend choice (ATHANOR_BACKEND, ATHANOR_WASM_THREADS). Default process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Starts the trainer service; port 0 in the config picks free ports (tests). */
export async function startTrainer(
  config: TrainerConfig,
  options: TrainerOptions = {},
): Promise<RunningService> {
  const startedAt = new Date();
  const compute: ComputeInfo = await initCompute(options.env ?? process.env);
  const device = `${availableParallelism()} CPU cores`;
  const backend = compute.tfBackend;
  const workerId = config.workerId ?? process.env.POD_NAME ?? `${hostname()}-${process.pid}`;
  const checkpoints = new CheckpointStore(config.checkpointDir ?? '.athanor/checkpoints');
  const dataRoot = resolve(config.dataDir ?? '.athanor/data');
  const modelSource =
    config.modelBuilderAddr === undefined
      ? undefined
      : new RemoteModelBuilder({
          address: config.modelBuilderAddr,
          credentials: clientCredentials(config),
          clientOptions: clientOptions(config),
        });
  const prepare = { dataRoot, cacheDir: join(dataRoot, 'cache'), ...(modelSource ? { modelSource } : {}) };

  let reporter: MetricsReporter | undefined;
  let worker: TunerWorker | undefined;
  let manager: RunManager | undefined;

  return startService({
    name: 'trainer',
    config,
    register(r) {
      const stepsDone = new Counter({
        name: 'athanor_trainer_steps_total',
        help: 'Optimizer steps completed by this trainer (all runs).',
        registers: [r.metrics.registry],
      });
      if (config.metricsAddr !== undefined)
        reporter = new MetricsReporter({
          address: config.metricsAddr,
          source: workerId,
          registry: r.metrics.registry,
          logger: r.logger,
          credentials: clientCredentials(config),
          clientOptions: clientOptions(config),
        });
      const hooksFor = (record: RunRecord): RunHooks => {
        const labels = {
          runId: record.run.id,
          trialId: record.run.trial?.trialId ?? '',
          studyId: record.run.trial?.studyId ?? '',
        };
        const workerHooks = worker?.hooksFor(record);
        reporter?.runState(labels, trainer.RunState.RUN_STATE_RUNNING);
        return {
          afterStep: (report, layers) => {
            stepsDone.inc();
            if (!record.config.metrics.disabled && report.step % record.config.metrics.everyNSteps === 0)
              reporter?.step(labels, report, record.config.metrics.perLayer ? layers : undefined);
          },
          afterValidation: async (result, checkpoint) => {
            if (!record.config.metrics.disabled) reporter?.validation(labels, result);
            return workerHooks?.afterValidation?.(result, checkpoint);
          },
          onFinished: async (run, outcome) => {
            reporter?.runState(labels, run.state);
            // A trial's metrics reach the metrics service before the tuner hears it is done.
            if (workerHooks) await reporter?.drain(2000);
            await workerHooks?.onFinished?.(run, outcome);
          },
        };
      };
      manager = new RunManager({
        concurrency: concurrencyOf(config, compute.backend),
        maxQueued: config.maxQueuedRuns,
        maxRunsPerClient: config.maxRunsPerClient,
        checkpoints,
        prepare,
        backend,
        device,
        workerId,
        logger: r.logger,
        hooksFor,
      });
      const runs = manager;
      if (config.tunerAddr !== undefined)
        worker = new TunerWorker({
          address: config.tunerAddr,
          workerId,
          studyId: config.workerStudy ?? '',
          slots: runs.concurrency,
          runs,
          logger: r.logger,
          credentials: clientCredentials(config),
          clientOptions: clientOptions(config),
        });

      r.add(
        trainer.TrainerServiceService,
        {
          // The peer's address without its port: one client however many connections it opens.
          startRun: (req, call) => Promise.resolve(runs.start(req, call.getPeer().replace(/:\d+$/, ''))),
          getRun: (req) => Promise.resolve({ run: runs.snapshot(requireId(req.runId)) }),
          listRuns: (req) =>
            Promise.resolve(
              runs.list({
                states: req.states,
                studyId: req.studyId,
                trialId: req.trialId,
                pageSize: req.pageSize,
                pageToken: req.pageToken,
                omitConfig: req.omitConfig,
              }),
            ),
          cancelRun: (req) =>
            Promise.resolve({ run: runs.cancel(requireId(req.runId), req.reason || undefined) }),
          watchRun: (req, call) => watchRun(runs, req, call),
          previewSchedule: async (req) => {
            const metrics = req.metrics;
            if (req.source?.$case === 'schedule')
              return previewDefinition(req.source.value, req.steps, metrics);
            if (req.source?.$case !== 'config')
              throw new InvalidArgumentError({
                field: 'source',
                description: 'is required: config or schedule',
              });
            const resolved = resolveTrainConfig(req.source.value, 'config');
            const data = await openData(resolved.dataset, {
              seed: resolved.seed,
              batchSize: resolved.batchSize,
              ...prepare,
            });
            const spe = Math.max(
              1,
              stepsPerEpoch(data.trainSize, resolved.batchSize, resolved.dataset.dropLast),
            );
            const steps = req.steps > 0 ? req.steps : (resolved.maxSteps ?? spe * (resolved.epochs ?? 1));
            if (steps > MAX_PREVIEW_STEPS)
              throw new InvalidArgumentError({
                field: 'steps',
                description: `at most ${MAX_PREVIEW_STEPS}, got ${steps}`,
              });
            return previewPlan({
              ...resolved,
              groups: groupsOf(resolved),
              stepsPerEpoch: spe,
              steps,
              metrics,
            });
          },
          findLearningRate: async (req, call) => {
            const started = performance.now();
            const resolved = resolveTrainConfig(req.config, 'config', { requireDuration: false });
            const o = {
              minLr: req.minLr ?? 1e-7,
              maxLr: req.maxLr ?? 10,
              iterations: req.numIterations ?? 100,
              beta: req.smoothing ?? 0.98,
              divergence: req.divergenceThreshold ?? 4,
            };
            const bad: { field: string; description: string }[] = [];
            if (!(o.minLr > 0)) bad.push({ field: 'min_lr', description: `must be > 0, got ${o.minLr}` });
            if (!(o.maxLr > o.minLr))
              bad.push({ field: 'max_lr', description: `must be above min_lr, got ${o.maxLr}` });
            if (!(Number.isInteger(o.iterations) && o.iterations >= 2 && o.iterations <= 100_000))
              bad.push({
                field: 'num_iterations',
                description: `must be an integer in [2, 100000], got ${o.iterations}`,
              });
            if (!(o.beta >= 0 && o.beta < 1))
              bad.push({ field: 'smoothing', description: `must be in [0, 1), got ${o.beta}` });
            if (!(o.divergence > 1))
              bad.push({ field: 'divergence_threshold', description: `must be > 1, got ${o.divergence}` });
            if (bad.length > 0) throw new InvalidArgumentError(bad);
            const session = await prepareSession(resolved, prepare);
            try {
              const result = await findLearningRate(session, {
                ...o,
                batchSize: resolved.batchSize,
                dropLast: resolved.dataset.dropLast,
                between: async () => {
                  if (call.cancelled) throw new Error('FindLearningRate cancelled by the client');
                  await new Promise<void>((done) => setImmediate(done));
                },
              });
              return {
                points: result.points,
                suggestions: result.suggestions,
                diverged: result.diverged,
                iterationsRun: result.points.length,
                backend,
                durationSeconds: (performance.now() - started) / 1000,
              };
            } finally {
              session.dispose();
              session.model.dispose();
            }
          },
          getServiceInfo: () =>
            Promise.resolve({
              info: describeService('trainer', packageVersion(__dirname), startedAt, {
                backend,
                device,
                tried: compute.tried.map((t) => ({ backend: t.name, selected: t.ok, reason: t.reason })),
              }),
            }),
        },
        'issue 6 (trainer service)',
        { writeMethods: ['startRun', 'cancelRun', 'findLearningRate'] },
      );
      r.onShutdown(async () => {
        await worker?.stop();
        await runs.close();
        await reporter?.close();
        modelSource?.close();
      });
      worker?.start();
    },
  });
}

function requireId(id: string): string {
  if (id === '') throw new InvalidArgumentError({ field: 'run_id', description: 'is required' });
  return id;
}

/** Replays (when asked) then streams a run's events until its terminal event or the client leaves. */
async function watchRun(
  runs: RunManager,
  req: trainer.WatchRunRequest,
  call: {
    write(r: trainer.WatchRunResponse): boolean;
    cancelled: boolean;
    on(e: 'cancelled', f: () => void): unknown;
  },
): Promise<void> {
  const record = runs.get(requireId(req.runId));
  if (req.afterSequence < 0)
    throw new InvalidArgumentError({ field: 'after_sequence', description: 'must be >= 0' });
  const wanted = (e: trainer.RunEvent): boolean => !(req.excludeSteps && e.event?.$case === 'step');
  await new Promise<void>((done) => {
    let unsubscribe: () => void = () => undefined;
    const send = (e: trainer.RunEvent): void => {
      if (call.cancelled) return;
      if (wanted(e)) call.write({ event: e });
      if (isTerminalEvent(e)) {
        unsubscribe();
        done();
      }
    };
    // Replay and subscription happen in one synchronous block: no event can fall between them.
    if (req.replay || req.afterSequence > 0) for (const e of record.log.since(req.afterSequence)) send(e);
    if (record.log.closed) {
      done();
      return;
    }
    unsubscribe = record.log.subscribe(send);
    call.on('cancelled', () => {
      unsubscribe();
      done();
    });
  });
}
