import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { trainer } from '@athanor/contracts';
import * as modelBuilderService from '@athanor/model-builder';
import { compileConfig, type RunningService } from '@athanor/service-kit';
import * as trainerService from '@athanor/trainer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unary } from './support/clients';
import { tinyConfig } from './support/tiny-config';

// With ATHANOR_MODEL_BUILDER_ADDR the trainer takes each run's model from model-builder (BuildModel)
// instead of building it itself; the two must train the very same model.
const ephemeral = { ATHANOR_GRPC_PORT: '0', ATHANOR_HTTP_PORT: '0', ATHANOR_LOG_LEVEL: 'silent' };

/** Losses of a finished run, step by step (all its step events, replayed). */
function losses(client: trainer.TrainerServiceClient, runId: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const out: number[] = [];
    const call = client.watchRun(trainer.WatchRunRequest.fromPartial({ runId, replay: true }));
    call.on('data', (r: trainer.WatchRunResponse) => {
      if (r.event?.event?.$case === 'step') out.push(r.event.event.value.loss);
    });
    call.on('end', () => resolve(out));
    call.on('error', reject);
  });
}

describe('trainer with model-builder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'athanor-trainer-mb-'));
  let builder: RunningService;
  const trainers: RunningService[] = [];
  const startTrainer = async (env: Record<string, string>) => {
    const t = await trainerService.startTrainer(
      compileConfig(trainerService.configSchema, {
        ...ephemeral,
        ATHANOR_CHECKPOINT_DIR: join(dir, `checkpoints-${trainers.length}`),
        ATHANOR_DATA_DIR: join(dir, 'data'),
        ...env,
      }),
    );
    trainers.push(t);
    return new trainer.TrainerServiceClient(t.address, grpc.credentials.createInsecure());
  };
  const train = async (client: trainer.TrainerServiceClient) => {
    const config = tinyConfig({ init: { dense: { kaimingNormal: {} } }, seed: 11 });
    const { runId } = await unary(
      client.startRun.bind(client),
      trainer.StartRunRequest.fromPartial({ config }),
    );
    const curve = await losses(client, runId);
    const { run } = await unary(client.getRun.bind(client), { runId });
    return { run: run!, curve };
  };

  beforeAll(async () => {
    builder = await modelBuilderService.startModelBuilder(
      compileConfig(modelBuilderService.configSchema, ephemeral),
    );
  });
  afterAll(async () => {
    for (const t of trainers) await t.stop();
    await builder?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('trains the model model-builder built: the same loss curve as a model built in process', async () => {
    const local = await train(await startTrainer({}));
    const remote = await train(await startTrainer({ ATHANOR_MODEL_BUILDER_ADDR: builder.address }));
    expect(remote.run.state).toBe(trainer.RunState.RUN_STATE_COMPLETED);
    expect(remote.curve.length).toBeGreaterThan(4);
    expect(remote.curve).toEqual(local.curve);
    // The model did come from model-builder.
    const exposition = await builder.metrics.registry.metrics();
    expect(exposition).toMatch(
      /athanor_grpc_server_handled_total\{method="ModelBuilderService\/BuildModel",code="OK"[^}]*\} 1\b/,
    );
  });

  it('fails the run with a model error naming model-builder when it is unreachable', async () => {
    const { run } = await train(await startTrainer({ ATHANOR_MODEL_BUILDER_ADDR: '127.0.0.1:1' }));
    expect(run.state).toBe(trainer.RunState.RUN_STATE_FAILED);
    expect(run.failureReason).toMatch(/model-builder at 127\.0\.0\.1:1/);
  });
});
