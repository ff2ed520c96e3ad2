import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { metrics, trainer } from '@athanor/contracts';
import * as metricsService from '@athanor/metrics';
import { compileConfig, type RunningService } from '@athanor/service-kit';
import * as trainerService from '@athanor/trainer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unary } from './support/clients';
import { tinyConfig } from './support/tiny-config';

const ephemeral = { ATHANOR_GRPC_PORT: '0', ATHANOR_HTTP_PORT: '0', ATHANOR_LOG_LEVEL: 'silent' };

const config = tinyConfig({ name: 'metrics', gradientStats: { everyNSteps: 4 } });

function finished(client: trainer.TrainerServiceClient, runId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const call = client.watchRun(
      trainer.WatchRunRequest.fromPartial({ runId, replay: true, excludeSteps: true }),
    );
    call.on('data', () => undefined);
    call.on('end', () => resolve());
    call.on('error', reject);
  });
}

describe('trainer -> metrics service', () => {
  let dir: string;
  let metricsServer: RunningService;
  const trainers: RunningService[] = [];

  const startTrainer = (metricsAddr: string) =>
    trainerService.startTrainer(
      compileConfig(trainerService.configSchema, {
        ...ephemeral,
        ATHANOR_CHECKPOINT_DIR: join(dir, 'checkpoints'),
        ATHANOR_DATA_DIR: join(dir, 'data'),
        ATHANOR_METRICS_ADDR: metricsAddr,
      }),
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'athanor-trainer-metrics-'));
    metricsServer = await metricsService.startMetrics(compileConfig(metricsService.configSchema, ephemeral));
  });
  afterAll(async () => {
    for (const t of trainers) await t.stop();
    await metricsServer?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('streams every step and validation to the metrics service (QueryRun sees them)', async () => {
    const t = await startTrainer(metricsServer.address);
    trainers.push(t);
    const client = new trainer.TrainerServiceClient(t.address, grpc.credentials.createInsecure());
    const { runId } = await unary(
      client.startRun.bind(client),
      trainer.StartRunRequest.fromPartial({ config }),
    );
    await finished(client, runId);
    client.close();
    await t.stop(); // flushes the reporter
    const query = new metrics.MetricsServiceClient(metricsServer.address, grpc.credentials.createInsecure());
    const res = await unary(
      query.queryRun.bind(query),
      metrics.QueryRunRequest.fromPartial({
        runId,
        names: ['train_loss', 'val_top1', 'lr', 'grad_norm'],
      }),
    );
    query.close();
    const byName = (name: string, layer?: string) =>
      res.series.filter(
        (s) => s.name === name && (layer === undefined ? s.layer === undefined : s.layer === layer),
      );
    expect(byName('train_loss')[0].points.map((p) => p.step)).toEqual(
      Array.from({ length: 16 }, (_, i) => i + 1),
    );
    expect(byName('val_top1')[0].points).toHaveLength(2);
    expect(byName('lr')[0].parameterGroup).toBe('default');
    expect(res.series.filter((s) => s.name === 'grad_norm' && s.layer !== undefined).length).toBeGreaterThan(
      0,
    );
    // The names are the contract's well-known ones, so the Prometheus export carries them too.
    const exposition = await (await fetch(`http://127.0.0.1:${metricsServer.httpPort}/metrics`)).text();
    for (const family of [
      'athanor_training_loss',
      'athanor_training_learning_rate',
      'athanor_training_gradient_norm',
      'athanor_training_layer_gradient_norm',
    ])
      expect(exposition, family).toMatch(new RegExp(`^${family}\\{[^}]*run="${runId}"`, 'm'));
  });

  it('keeps training when the metrics service is down (points wait in a bounded buffer)', async () => {
    // A port nothing listens on.
    const t = await startTrainer('127.0.0.1:1');
    trainers.push(t);
    const client = new trainer.TrainerServiceClient(t.address, grpc.credentials.createInsecure());
    const { runId } = await unary(
      client.startRun.bind(client),
      trainer.StartRunRequest.fromPartial({ config }),
    );
    await finished(client, runId);
    const { run } = await unary(client.getRun.bind(client), { runId });
    client.close();
    expect(run!.state).toBe(trainer.RunState.RUN_STATE_COMPLETED);
  });
});
