import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { metrics, trainer, training, tuner } from '@athanor/contracts';
import { compileConfig, type RunningService } from '@athanor/service-kit';
import * as trainerService from '@athanor/trainer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unary } from './support/clients';
import { tinyConfig } from './support/tiny-config';

// The tuner's side of worker mode is scripted here: a real gRPC server on port 0 whose answers the
// test decides (services/tuner does not hand out trials yet). The metrics service is faked the same
// way to see what the trainer reports.

const config = (epochs: number) =>
  tinyConfig({ name: 'trial', epochs, seed: 5, checkpoint: { everyNEpochs: 1 } });

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function listen(server: grpc.Server): Promise<string> {
  return new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve(`127.0.0.1:${port}`),
    ),
  );
}

describe('trainer worker mode against a scripted tuner', () => {
  const assignments: tuner.TrialAssignment[] = [];
  const completions: tuner.CompleteTrialRequest[] = [];
  const intermediates: tuner.ReportIntermediateRequest[] = [];
  const heartbeats: tuner.HeartbeatTrialRequest[] = [];
  const completed = new Map<string, Deferred<tuner.CompleteTrialRequest>>();
  const points: metrics.MetricPoint[] = [];
  const gotPoints = deferred<void>();
  let tunerServer: grpc.Server;
  let metricsServer: grpc.Server;
  let service: RunningService;
  let dir: string;

  const offer = (id: string, epochs: number, resumeFrom?: training.CheckpointRef): void => {
    completed.set(id, deferred());
    assignments.push(
      tuner.TrialAssignment.fromPartial({
        trial: { id, studyId: 'study-1', number: assignments.length },
        leaseId: `lease-${id}`,
        heartbeatInterval: { seconds: 0, nanos: 100_000_000 },
        config: config(epochs),
        objectiveMetric: 'val_top1',
        resumeFrom,
      }),
    );
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'athanor-worker-'));
    tunerServer = new grpc.Server();
    const impl: Partial<tuner.TunerServiceServer> = {
      suggestTrials: (_call, cb) => {
        const a = assignments.shift();
        cb(
          null,
          tuner.SuggestTrialsResponse.fromPartial({
            assignments: a ? [a] : [],
            retryAfter: { seconds: 0, nanos: 20_000_000 },
          }),
        );
      },
      heartbeatTrial: (call, cb) => {
        heartbeats.push(call.request);
        cb(null, tuner.HeartbeatTrialResponse.fromPartial({}));
      },
      reportIntermediate: (call, cb) => {
        intermediates.push(call.request);
        // Trial "t-prune" is pruned at its first report.
        cb(
          null,
          tuner.ReportIntermediateResponse.fromPartial({
            shouldPrune: call.request.trialId === 't-prune',
            stopReason: call.request.trialId === 't-prune' ? tuner.StopReason.STOP_REASON_PRUNED : 0,
          }),
        );
      },
      completeTrial: (call, cb) => {
        completions.push(call.request);
        completed.get(call.request.trialId)?.resolve(call.request);
        cb(null, tuner.CompleteTrialResponse.fromPartial({}));
      },
    };
    tunerServer.addService(tuner.TunerServiceService, impl as tuner.TunerServiceServer);
    metricsServer = new grpc.Server();
    metricsServer.addService(metrics.MetricsServiceService, {
      reportMetrics: (
        call: grpc.ServerReadableStream<metrics.ReportMetricsRequest, metrics.ReportMetricsResponse>,
        cb: grpc.sendUnaryData<metrics.ReportMetricsResponse>,
      ) => {
        let n = 0;
        call.on('data', (r: metrics.ReportMetricsRequest) => {
          points.push(...r.points);
          n += r.points.length;
        });
        call.on('end', () => {
          cb(null, metrics.ReportMetricsResponse.fromPartial({ accepted: n }));
          if (points.some((p) => p.name === 'val_top1')) gotPoints.resolve();
        });
      },
    });
    const [tunerAddr, metricsAddr] = await Promise.all([listen(tunerServer), listen(metricsServer)]);
    offer('t-full', 2);
    offer('t-prune', 3);
    service = await trainerService.startTrainer(
      compileConfig(trainerService.configSchema, {
        ATHANOR_GRPC_PORT: '0',
        ATHANOR_HTTP_PORT: '0',
        ATHANOR_LOG_LEVEL: 'silent',
        ATHANOR_MAX_CONCURRENT_RUNS: '1',
        ATHANOR_CHECKPOINT_DIR: join(dir, 'checkpoints'),
        ATHANOR_DATA_DIR: join(dir, 'data'),
        ATHANOR_TUNER_ADDR: tunerAddr,
        ATHANOR_METRICS_ADDR: metricsAddr,
        ATHANOR_WORKER_ID: 'worker-a',
      }),
    );
  });
  afterAll(async () => {
    await service?.stop();
    tunerServer?.forceShutdown();
    metricsServer?.forceShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pulls a trial, reports every validation and completes it with the objective', async () => {
    const done = await completed.get('t-full')!.promise;
    expect(done.leaseId).toBe('lease-t-full');
    expect(done.outcome?.$case).toBe('completed');
    const reports = intermediates.filter((r) => r.trialId === 't-full');
    // The resource is the epoch (validation per epoch), not the optimizer step (8 per epoch here).
    expect(reports.map((r) => r.step)).toEqual([1, 2]);
    if (done.outcome?.$case === 'completed') expect(done.outcome.value.objectiveValue).toBe(reports[1].value);
    expect(done.checkpoint?.step).toBe(16);
    const client = new trainer.TrainerServiceClient(service.address, grpc.credentials.createInsecure());
    const { run } = await unary(client.getRun.bind(client), { runId: done.runId });
    client.close();
    expect(run!.trial?.trialId).toBe('t-full');
    expect(run!.workerId).toBe('worker-a');
  });

  it('stops a pruned trial and completes it as pruned', async () => {
    const done = await completed.get('t-prune')!.promise;
    expect(done.outcome).toEqual({ $case: 'pruned', value: { step: 1 } });
    expect(intermediates.filter((r) => r.trialId === 't-prune')).toHaveLength(1);
  });

  it('resumes a trial handed out again from its checkpoint', async () => {
    const pruned = completions.find((c) => c.trialId === 't-prune')!;
    offer('t-again', 3, pruned.checkpoint);
    const done = await completed.get('t-again')!.promise;
    expect(done.outcome?.$case).toBe('completed');
    expect(intermediates.filter((r) => r.trialId === 't-again').map((r) => r.step)).toEqual([2, 3]);
  });

  it('streams step and validation metrics to the metrics service', async () => {
    await gotPoints.promise;
    const names = new Set(points.map((p) => p.name));
    for (const n of ['train_loss', 'lr', 'samples_per_second', 'grad_norm', 'val_loss', 'val_top1'])
      expect(names).toContain(n);
    expect(points.find((p) => p.name === 'train_loss')!.trialId).not.toBe('');
  });
});
