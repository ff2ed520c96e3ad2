// One trace per trial across the four services (issue 8): the tuner's `tuner.trial` span, the lease
// it hands to the worker as W3C trace context, the trainer's run with a span per epoch and per
// checkpoint, the model from model-builder, the intermediate values and the completion back at the
// tuner, and the run's last points at the metrics service: all in the trial's trace.
//
// Tracing must start before @grpc/grpc-js loads, so this file imports nothing that loads gRPC at
// the top; the services and clients are required after startTestTracing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type TestingTracing = typeof import('@athanor/service-kit/testing-tracing');
type SpanRecord = import('@athanor/service-kit/testing-tracing').SpanRecord;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tt = require('@athanor/service-kit/testing-tracing') as TestingTracing;
type Running = import('@athanor/service-kit').RunningService;

describe('one trace per trial across tuner, trainer, model-builder and metrics', () => {
  const dir = mkdtempSync(join(tmpdir(), 'athanor-tracing-trial-'));
  let tracing: ReturnType<TestingTracing['startTestTracing']>;
  const services: Running[] = [];

  beforeAll(() => {
    tracing = tt.startTestTracing('trial-trace-test');
  });
  afterAll(async () => {
    for (const s of services.reverse()) await s.stop(); // the last stop also stops tracing
    rmSync(dir, { recursive: true, force: true });
  });

  it('links every span of a trial, across service boundaries as W3C context, into one trace', async () => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const grpc = require('@grpc/grpc-js') as typeof import('@grpc/grpc-js');
    const { training, tuner } = require('@athanor/contracts') as typeof import('@athanor/contracts');
    const kit = require('@athanor/service-kit') as typeof import('@athanor/service-kit');
    const tunerPkg = require('@athanor/tuner') as typeof import('@athanor/tuner');
    const trainerPkg = require('@athanor/trainer') as typeof import('@athanor/trainer');
    const builderPkg = require('@athanor/model-builder') as typeof import('@athanor/model-builder');
    const metricsPkg = require('@athanor/metrics') as typeof import('@athanor/metrics');
    const { tinyConfig } = await import('./support/tiny-config.js');
    const { watchUntil } = await import('./support/tuner-worker.js');
    const { unary } = await import('./support/clients.js');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const ephemeral = { ATHANOR_GRPC_PORT: '0', ATHANOR_HTTP_PORT: '0', ATHANOR_LOG_LEVEL: 'silent' };
    const metricsService = await metricsPkg.startMetrics(
      kit.compileConfig(metricsPkg.configSchema, ephemeral),
    );
    const builder = await builderPkg.startModelBuilder(kit.compileConfig(builderPkg.configSchema, ephemeral));
    const tunerService = await tunerPkg.startTuner(
      kit.compileConfig(tunerPkg.configSchema, {
        ...ephemeral,
        ATHANOR_DATA_DIR: join(dir, 'tuner'),
        ATHANOR_METRICS_ADDR: metricsService.address,
      }),
    );
    services.push(metricsService, builder, tunerService);
    const client = new tuner.TunerServiceClient(tunerService.address, grpc.credentials.createInsecure());
    const { study } = await unary(client.createStudy.bind(client), {
      spec: tuner.StudySpec.fromJSON({
        name: 'traced',
        objective: { metric: 'val_loss' },
        baseConfig: training.TrainConfig.toJSON(tinyConfig({ epochs: 2, checkpoint: { everyNEpochs: 1 } })),
        searchSpace: { parameters: [{ name: 'optimizer.lr', doubleRange: { low: 0.01, high: 0.1 } }] },
        algorithm: { random: {}, seed: 1 },
        budget: { maxTrials: 1 },
      }),
      requestId: '',
    });
    const finished = watchUntil(
      client,
      study!.id,
      (e: import('@athanor/contracts').tuner.StudyEvent) =>
        e.event?.$case === 'studyUpdated' && e.event.value.state === tuner.StudyState.STUDY_STATE_COMPLETED,
    );
    services.push(
      await trainerPkg.startTrainer(
        kit.compileConfig(trainerPkg.configSchema, {
          ...ephemeral,
          ATHANOR_CHECKPOINT_DIR: join(dir, 'checkpoints'),
          ATHANOR_DATA_DIR: join(dir, 'data'),
          ATHANOR_TUNER_ADDR: tunerService.address,
          ATHANOR_METRICS_ADDR: metricsService.address,
          ATHANOR_MODEL_BUILDER_ADDR: builder.address,
          ATHANOR_WORKER_STUDY: study!.id,
        }),
      ),
    );
    await finished;
    client.close();

    const named = (spans: SpanRecord[], name: string) => spans.filter((s) => s.name === name);
    const spans = await tracing.waitForSpans(
      (s) =>
        named(s, 'trainer.run').length === 1 &&
        s.some((x) => x.name.endsWith('TunerService/CompleteTrial') && x.kind === 'server'),
      10_000,
    );
    const [trial] = named(spans, 'tuner.trial');
    expect(trial, tt.describeSpans(spans)).toBeDefined();
    const inTrace = spans.filter((s) => s.traceId === trial.traceId);
    const byId = new Map(inTrace.map((s) => [s.spanId, s]));
    /** The chain of ancestors of a span, nearest first, within the trial's trace. */
    const ancestors = (s: SpanRecord): string[] => {
      const names: string[] = [];
      for (
        let p = s.parentSpanId && byId.get(s.parentSpanId);
        p;
        p = p.parentSpanId && byId.get(p.parentSpanId)
      )
        names.push(p.name);
      return names;
    };
    const one = (name: string, kind?: SpanRecord['kind']) => {
      const found = inTrace.filter((s) => s.name.endsWith(name) && (kind === undefined || s.kind === kind));
      expect(found.length, `${name} in the trial's trace:\n${tt.describeSpans(inTrace)}`).toBeGreaterThan(0);
      return found;
    };

    const [lease] = one('tuner.trial.lease');
    tt.expectChildOf(lease, trial);
    const [run] = one('trainer.run');
    tt.expectChildOf(run, lease);
    expect(run.parentIsRemote).toBe(true); // it crossed in TrialAssignment.trace_parent
    expect(run.attributes['athanor.trial_id']).toBe(trial.attributes['athanor.trial_id']);

    const epochs = one('trainer.epoch');
    expect(epochs).toHaveLength(2);
    for (const e of epochs) tt.expectChildOf(e, run);
    for (const c of one('trainer.checkpoint')) expect(ancestors(c)).toContain('trainer.run');
    // The calls the run made, each a server span in another service, reached through the wire.
    for (const rpc of [
      'ModelBuilderService/BuildModel',
      'TunerService/ReportIntermediate',
      'TunerService/CompleteTrial',
      'MetricsService/ReportMetrics',
    ]) {
      const [server] = one(rpc, 'server');
      expect(server.parentIsRemote, rpc).toBe(true);
      expect(ancestors(server), rpc).toContain('trainer.run');
    }
    expect(one('TunerService/ReportIntermediate', 'server')).toHaveLength(2); // one per epoch
  }, 60_000);
});
