import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { trainer, training } from '@athanor/contracts';
import { compileConfig, type RunningService } from '@athanor/service-kit';
import * as trainerService from '@athanor/trainer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unary } from './support/clients';

// ATHANOR_MAX_RUNS_PER_CLIENT: one caller cannot fill a shared trainer's queue.
const endless = training.TrainConfig.fromJSON({
  name: 'endless',
  model: { spec: { name: 'tiny', mlp: { widths: [8] } } },
  dataset: {
    synthetic: { exampleShape: [4], numClasses: 2, trainExamples: 64, validationExamples: 16, seed: 1 },
  },
  optimizer: { sgd: {}, lr: 0.01 },
  batchSize: 16,
  epochs: 100000,
  checkpoint: { saveFinal: false },
  seed: 1,
});

describe('trainer runs per client', () => {
  let dir: string;
  let service: RunningService;
  let client: trainer.TrainerServiceClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'athanor-limits-'));
    service = await trainerService.startTrainer(
      compileConfig(trainerService.configSchema, {
        ATHANOR_GRPC_PORT: '0',
        ATHANOR_HTTP_PORT: '0',
        ATHANOR_LOG_LEVEL: 'silent',
        ATHANOR_BACKEND: 'cpu',
        ATHANOR_CHECKPOINT_DIR: join(dir, 'checkpoints'),
        ATHANOR_DATA_DIR: join(dir, 'data'),
        ATHANOR_MAX_CONCURRENT_RUNS: '1',
        ATHANOR_MAX_RUNS_PER_CLIENT: '2',
      }),
    );
    client = new trainer.TrainerServiceClient(service.address, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client.close();
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a client its third open run with RESOURCE_EXHAUSTED, and accepts one again after a cancel', async () => {
    const start = () =>
      unary(client.startRun.bind(client), trainer.StartRunRequest.fromPartial({ config: endless }));
    const first = await start();
    const second = await start();
    const refused = await start().then(
      () => undefined,
      (e: grpc.ServiceError) => e,
    );
    expect(refused?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(refused?.details).toContain('at most 2 per client');

    await unary(client.cancelRun.bind(client), trainer.CancelRunRequest.fromPartial({ runId: second.runId }));
    const third = await start();
    for (const runId of [first.runId, third.runId]) {
      await unary(client.cancelRun.bind(client), trainer.CancelRunRequest.fromPartial({ runId }));
    }
  });
});
